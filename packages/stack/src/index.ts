export { followProgress } from './progress.js';
export {
  DEFAULT_STACK_IMAGE,
  STACK,
  LOCAL_CA_DIR,
  STACK_PACKAGES,
  baseImageOf,
  buildStackImage,
  ensureStackImage,
  inspectStackImage,
  stackDockerfile,
  stackRecipe,
  RECIPE_LABEL,
} from './stack-image.js';
export type { StackImageInfo, StackImageOptions } from './stack-image.js';
