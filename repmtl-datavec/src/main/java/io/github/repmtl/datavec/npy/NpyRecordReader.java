package io.github.repmtl.datavec.npy;

import io.github.repmtl.datavec.InvalidDataException;
import org.datavec.api.conf.Configuration;
import org.datavec.api.records.Record;
import org.datavec.api.records.metadata.RecordMetaData;
import org.datavec.api.records.metadata.RecordMetaDataURI;
import org.datavec.api.records.reader.BaseRecordReader;
import org.datavec.api.split.InputSplit;
import org.datavec.api.writable.NDArrayWritable;
import org.datavec.api.writable.Writable;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * A DataVec {@code RecordReader} for {@code .npy} files: one record per file, holding one
 * {@link NDArrayWritable} with the whole array, read by {@link NpyReader} (so Fortran order, big-endian
 * data and every element type in {@link NpyDType} are read correctly, and broken files raise an
 * {@link InvalidDataException} naming the file). Records follow the order of the split's locations:
 * use a {@code NumberedFileInputSplit} (not a {@code FileSplit}, whose order is unsorted) when several
 * readers must stay paired by index.
 */
public class NpyRecordReader extends BaseRecordReader {
    private static final long serialVersionUID = 1L;

    private transient List<URI> locations = List.of();
    private transient Configuration configuration;
    private int cursor;

    @Override
    public void initialize(InputSplit split) {
        this.inputSplit = split;
        this.locations = List.of(split.locations());
        this.cursor = 0;
    }

    @Override
    public void initialize(Configuration conf, InputSplit split) {
        setConf(conf);
        initialize(split);
    }

    @Override
    public List<Writable> next() {
        return nextRecord().getRecord();
    }

    @Override
    public boolean hasNext() {
        return cursor < locations.size();
    }

    /** No labels: the arrays are the records. */
    @Override
    public List<String> getLabels() {
        return null;
    }

    @Override
    public void reset() {
        cursor = 0;
    }

    @Override
    public boolean resetSupported() {
        return true;
    }

    @Override
    public List<Writable> record(URI uri, DataInputStream stream) throws IOException {
        return List.of(new NDArrayWritable(NpyReader.read(uri.toString(), stream.readAllBytes()).toINDArray()));
    }

    @Override
    public Record nextRecord() {
        if (!hasNext()) {
            throw new NoSuchElementException("all " + locations.size() + " files have been read; call reset()");
        }
        URI uri = locations.get(cursor++);
        Record record = read(uri);
        invokeListeners(record);
        return record;
    }

    @Override
    public Record loadFromMetaData(RecordMetaData recordMetaData) {
        return read(recordMetaData.getURI());
    }

    @Override
    public List<Record> loadFromMetaData(List<RecordMetaData> recordMetaDatas) {
        List<Record> records = new ArrayList<>();
        for (RecordMetaData metaData : recordMetaDatas) {
            records.add(loadFromMetaData(metaData));
        }
        return records;
    }

    private static Record read(URI uri) {
        NDArrayWritable array = new NDArrayWritable(NpyReader.read(Path.of(uri)).toINDArray());
        return new org.datavec.api.records.impl.Record(List.of(array), new RecordMetaDataURI(uri, NpyRecordReader.class));
    }

    @Override
    public void close() {
        locations = List.of();
    }

    @Override
    public void setConf(Configuration conf) {
        this.configuration = conf;
    }

    @Override
    public Configuration getConf() {
        return configuration;
    }
}
