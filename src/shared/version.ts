// The running version, from package.json (reported by --version and mesh_soak_build_info).
export { packageVersion as version } from './package-root.js';
