package io.github.repmtl.datavec.npy;

/**
 * Index arithmetic between row-major (C) and column-major (Fortran) storage of the same shape.
 */
final class FortranOrder {
    private FortranOrder() {
    }

    /**
     * For every element in C (row-major) order, its position in column-major storage:
     * {@code result[c]} is the Fortran storage index of the element whose C index is {@code c}.
     */
    static int[] storageIndexOfCElements(long[] shape) {
        int count = Math.toIntExact(product(shape));
        int[] result = new int[count];
        if (count == 0) {
            return result;
        }
        int rank = shape.length;
        long[] fortranStride = new long[rank];
        long stride = 1;
        for (int k = 0; k < rank; k++) {
            fortranStride[k] = stride;
            stride *= shape[k];
        }
        long[] index = new long[rank];
        long fortranIndex = 0;
        for (int c = 0; c < count; c++) {
            result[c] = (int) fortranIndex;
            for (int k = rank - 1; k >= 0; k--) {
                index[k]++;
                fortranIndex += fortranStride[k];
                if (index[k] < shape[k]) {
                    break;
                }
                fortranIndex -= index[k] * fortranStride[k];
                index[k] = 0;
            }
        }
        return result;
    }

    static long product(long[] shape) {
        long count = 1;
        for (long dim : shape) {
            count = Math.multiplyExact(count, dim);
        }
        return count;
    }
}
