import { faultSuite } from './suite.ts';

faultSuite('sqlite');
