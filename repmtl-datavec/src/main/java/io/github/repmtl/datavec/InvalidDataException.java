package io.github.repmtl.datavec;

/**
 * Thrown when data on disk is missing, malformed or inconsistent. The message always names the file
 * (or folder) and what is wrong with it, so that the user can fix the data rather than the code.
 */
public class InvalidDataException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InvalidDataException(String message) {
        super(message);
    }

    public InvalidDataException(String message, Throwable cause) {
        super(message, cause);
    }
}
