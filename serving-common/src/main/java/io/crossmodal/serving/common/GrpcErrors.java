package io.crossmodal.serving.common;

import io.crossmodal.runtime.bundle.BundleCorruptException;
import io.crossmodal.runtime.bundle.ModelNotFoundException;
import io.crossmodal.runtime.family.InvalidInputException;
import io.crossmodal.runtime.cache.ModelLoadException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.jboss.logging.Logger;

/** Maps failures to gRPC statuses with a message a caller can act on. */
public final class GrpcErrors {

    private static final Logger LOG = Logger.getLogger(GrpcErrors.class);

    private GrpcErrors() {
    }

    /** A request the service rejects before touching a model. */
    public static StatusRuntimeException invalid(String message) {
        return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
    }

    /** Any failure of a call, as the status to answer with; unexpected ones are logged with their stack. */
    public static StatusRuntimeException toStatus(Throwable t, String requestId, String rpc) {
        while ((t instanceof java.util.concurrent.CompletionException || t instanceof java.util.concurrent.ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof StatusRuntimeException s) {
            return s;
        }
        if (t instanceof io.grpc.StatusException s) {
            return s.getStatus().asRuntimeException(s.getTrailers());
        }
        Status status;
        if (t instanceof io.crossmodal.runtime.control.RunCancelledException) {
            status = Status.CANCELLED.withDescription(rpc + " cancelled");
        } else if (t instanceof InvalidInputException e) {
            status = Status.INVALID_ARGUMENT.withDescription(e.getMessage());
        } else if (t instanceof ModelNotFoundException e) {
            status = Status.NOT_FOUND.withDescription(e.getMessage());
        } else if (t instanceof BundleCorruptException e) {
            status = Status.FAILED_PRECONDITION.withDescription("model bundle is corrupt: " + e.getMessage());
        } else if (t instanceof io.crossmodal.runtime.cache.ModelLoadRejectedException e) {
            status = Status.RESOURCE_EXHAUSTED.withDescription(e.getMessage());
        } else if (t instanceof ModelLoadException e) {
            status = Status.FAILED_PRECONDITION.withDescription(e.getMessage());
        } else {
            LOG.errorf(t, "%s request %s failed unexpectedly", rpc, requestId);
            status = Status.INTERNAL.withDescription(rpc + " failed: " + t.getClass().getSimpleName()
                    + (t.getMessage() == null ? "" : ": " + t.getMessage()));
        }
        if (status.getCode() != Status.Code.INTERNAL) {
            LOG.debugf("%s request %s: %s %s", rpc, requestId, status.getCode(), status.getDescription());
        }
        return status.asRuntimeException();
    }
}
