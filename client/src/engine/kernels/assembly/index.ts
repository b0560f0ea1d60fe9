// @ts-nocheck -- AssemblyScript source (compiled by asc, see ../build.mjs); the TypeScript checker cannot type it.
// Entry of the sparse kernel module: everything exported here becomes a WebAssembly export.
export { heapBase, gatherF32, gatherF32x16 } from './common';
export { csrSpmm, csrSpmm16, csrSddmm, csrSddmm16 } from './linear-csr';
export { block4Spmm, block4Sddmm } from './linear-block4';
export { shuffledSpmm, shuffledSpmmT, shuffledSddmm } from './linear-shuffled';
export { denseGemm, denseDots } from './dense';
export { padPlanes, convCsr, convPattern, convBlock4, convDense, convDenseDw, convSddmm, convSddmmBlock4 } from './conv';
export { reverse3, reverse3Part, swapOuterAxes } from './layout';
export { rowAffine, reluBackward, rowSums, scaleRows, maxPool2x2, maxPool2x2Backward, maxPool2x2Argmax, maxPool2x2BackwardAt } from './pointwise';
export { softmaxCrossEntropy, sgdUpdate, adamUpdate } from './train';
