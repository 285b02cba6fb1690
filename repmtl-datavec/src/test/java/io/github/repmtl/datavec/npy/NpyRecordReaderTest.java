package io.github.repmtl.datavec.npy;

import io.github.repmtl.datavec.InvalidDataException;
import org.datavec.api.records.Record;
import org.datavec.api.split.NumberedFileInputSplit;
import org.datavec.api.writable.NDArrayWritable;
import org.datavec.api.writable.Writable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The DataVec record reader over numbered .npy files in mixed encodings. */
class NpyRecordReaderTest {
    @TempDir
    Path folder;

    private static INDArray sample(int index) {
        return Nd4j.createFromArray(new float[][]{{index, index + 0.5f, -index}, {2 * index, 7, index * index}});
    }

    private static INDArray array(List<Writable> record) {
        return ((NDArrayWritable) record.get(0)).get();
    }

    @Test
    void readsNumberedFilesInIndexOrder() throws IOException {
        NpyWriter[] writers = {
                NpyWriter.builder().build(),
                NpyWriter.builder().byteOrder(ByteOrder.BIG_ENDIAN).fortranOrder(true).build(),
                NpyWriter.builder().dtype(NpyDType.FLOAT64).version(3).build()};
        for (int i = 11; i >= 0; i--) {
            writers[i % 3].write(folder.resolve(i + ".npy"), sample(i));
        }
        NpyRecordReader reader = new NpyRecordReader();
        reader.initialize(new NumberedFileInputSplit(folder + "/%d.npy", 0, 11));
        for (int pass = 0; pass < 2; pass++) {
            for (int i = 0; i < 12; i++) {
                assertTrue(reader.hasNext());
                INDArray read = array(reader.next());
                assertEquals(sample(i), read.castTo(sample(i).dataType()), "file " + i);
            }
            assertFalse(reader.hasNext());
            reader.reset();
        }
        Record record = reader.nextRecord();
        assertEquals(folder.resolve("0.npy").toUri(), record.getMetaData().getURI());
        assertEquals(sample(0), array(reader.loadFromMetaData(record.getMetaData()).getRecord()));
        try (InputStream in = Files.newInputStream(folder.resolve("4.npy"))) {
            assertEquals(sample(4), array(reader.record(folder.resolve("4.npy").toUri(), new DataInputStream(in))));
        }
    }

    @Test
    void brokenFileNamesThePath() throws IOException {
        NpyWriter.builder().build().write(folder.resolve("0.npy"), sample(0));
        Files.write(folder.resolve("1.npy"), new byte[]{(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 20, 0, '{'});
        NpyRecordReader reader = new NpyRecordReader();
        reader.initialize(new NumberedFileInputSplit(folder + "/%d.npy", 0, 1));
        reader.next();
        InvalidDataException e = assertThrows(InvalidDataException.class, reader::next);
        assertTrue(e.getMessage().startsWith(folder.resolve("1.npy") + ": truncated .npy header"), e.getMessage());
    }
}
