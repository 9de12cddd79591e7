import { createIndexedTable } from '../../../src/rules/index.js';
import { runRouteTableSuite } from '../../suites/route-table.case.js';

runRouteTableSuite('indexed', createIndexedTable);
