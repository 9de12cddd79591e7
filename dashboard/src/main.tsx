/** The dashboard's entry: theme first (no flash), then the app into #app. */
import { render } from 'preact';
import { App } from './app.js';
import { initTheme } from './theme.js';
import './styles.css';

initTheme();
const root = document.getElementById('app');
if (root !== null) render(<App />, root);
