import { ALL_CAPABILITIES, describeWarehouseConformance } from './conformance.js';
import { disposeTestWarehouse, testWarehouse } from '../../helpers/warehouse.js';

describeWarehouseConformance('embedded (chDB)', () => ({
  open: () => testWarehouse(),
  dispose: disposeTestWarehouse,
  capabilities: ALL_CAPABILITIES,
}));
