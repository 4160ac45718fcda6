// The sealing moved to the base layer (stored channel tokens use it too).
export { parseDataKey, seal, unseal, type DataKey } from '../store/sealed.js';
