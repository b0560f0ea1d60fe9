export { canonicalLayerName, parseProfile, profileDensities, ProfileError, type ParsedProfile } from './parse.js';
