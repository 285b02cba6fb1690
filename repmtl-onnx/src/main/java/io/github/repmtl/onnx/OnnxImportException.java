package io.github.repmtl.onnx;

/** An ONNX model that cannot be imported as a multi-task model; the message names the node, value or option at fault. */
public class OnnxImportException extends IllegalArgumentException {
    public OnnxImportException(String message) { super(message); }

    public OnnxImportException(String message, Throwable cause) { super(message, cause); }
}
