package io.github.repmtl.samediff.saliency;

/**
 * Thrown when an op between the shared activation and a task loss has no exact input-gradient rule
 * (see {@link VjpRules#supportedOps()}); the message names the op, its type and where it sits.
 */
public class UnsupportedHeadOpException extends IllegalArgumentException {
    private final String opName;

    public UnsupportedHeadOpException(String opName, String message) {
        super(message);
        this.opName = opName;
    }

    /** The SameDiff op name (for example {@code "lstmLayer"}) that has no rule. */
    public String opName() { return opName; }
}
