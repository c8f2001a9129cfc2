import { faultSuite } from './suite.ts';

faultSuite('postgres');
