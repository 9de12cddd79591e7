/**
 * Names Traefik derives from a container: `normalize` (its template function and the service
 * naming rule) and the container's service name.
 */
import type { ContainerInfo } from './container.js';

/** Compose labels that make the service name `<service>_<project>`. */
export const COMPOSE_PROJECT_LABEL = 'com.docker.compose.project';
export const COMPOSE_SERVICE_LABEL = 'com.docker.compose.service';

const NOT_LETTER_OR_DIGIT = /[^\p{L}\p{N}]+/u;

/**
 * Traefik's `normalize`: splits on every character that is neither a letter nor a digit (Unicode)
 * and joins the non-empty parts with `-`: `my_app.1` -> `my-app-1`, `/web` -> `web`.
 */
export function normalize(name: string): string {
  return name
    .split(NOT_LETTER_OR_DIGIT)
    .filter((part) => part !== '')
    .join('-');
}

/**
 * The name of the service (and default router) Traefik generates for a container: the container
 * name, or with both compose labels `<service>_<project>`, normalised.
 */
export function containerServiceName(container: Pick<ContainerInfo, 'name' | 'labels'>): string {
  const project = container.labels[COMPOSE_PROJECT_LABEL];
  const service = container.labels[COMPOSE_SERVICE_LABEL];
  if (project !== undefined && service !== undefined) return normalize(`${service}_${project}`);
  return normalize(container.name);
}
