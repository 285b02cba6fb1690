package io.github.repmtl.samediff.analysis;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ConvWeightLayoutTest {

    @Test
    void bothLayoutsGiveTheSameInByOutTaps() {
        Nd4j.getRandom().setSeed(1);
        INDArray yxio = Nd4j.rand(DataType.FLOAT, 3, 2, 4, 5);
        INDArray oiyx = yxio.permute(3, 2, 0, 1).dup('c');
        List<INDArray> fromYxio = ConvWeightLayout.YXIO.taps(yxio);
        List<INDArray> fromOiyx = ConvWeightLayout.OIYX.taps(oiyx);
        assertEquals(6, fromYxio.size());
        for (int t = 0; t < 6; t++) {
            assertArrayEquals(new long[]{4, 5}, fromYxio.get(t).shape());
            assertEquals(fromYxio.get(t), fromOiyx.get(t));
        }
        // with kW = 2, tap (y, x) = (1, 1) is the fourth in row-major tap order
        assertEquals(yxio.get(NDArrayIndex.point(1), NDArrayIndex.point(1), NDArrayIndex.all(), NDArrayIndex.all()), fromYxio.get(3));
        assertThrows(IllegalArgumentException.class, () -> ConvWeightLayout.OIYX.taps(Nd4j.ones(2, 2)));
    }
}
