package io.crossmodal.serving.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Message;
import io.crossmodal.runtime.bundle.ServingSpec;
import io.crossmodal.runtime.cache.ModelKey;
import io.crossmodal.runtime.control.RunControl;
import io.crossmodal.runtime.family.InvalidInputException;
import io.crossmodal.runtime.family.ServedModel;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The per-request compute budget and the heavy threshold, with a family whose cost is its input. */
class ComputeBudgetTest {

    /** A model whose request costs the number it carries. */
    static final class Costed implements ServedModel<Long, Long> {
        public String component() {
            return "c";
        }

        public ServingSpec spec() {
            return ServingSpec.NONE;
        }

        public Long admit(Message request) {
            throw new UnsupportedOperationException();
        }

        public Object batchKey(Long input) {
            return "";
        }

        public List<Long> run(List<Long> batch, RunControl control) {
            return batch;
        }

        public void respond(Long input, Long output, Message.Builder response) {
        }

        public void warmUp() {
        }

        public void close() {
        }

        @Override
        public long cost(Long input) {
            return input;
        }

        @Override
        public String describeCost(Long input) {
            return "beam width 64 x max_length 200";
        }
    }

    final ModelKey key = new ModelKey("m", 3);

    @Test
    void overTheBudgetIsInvalidInputSayingCostBudgetAndWhatToLower() {
        ComputeBudget budget = new ComputeBudget(4096, 1024);
        assertEquals(4096, budget.check(key, new Costed(), 4096L));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> budget.check(key, new Costed(), 12800L));
        String m = e.getMessage();
        assertTrue(m.contains("m/3") && m.contains("12800") && m.contains("beam width 64 x max_length 200")
                && m.contains("4096") && m.contains("crossmodal.serving.compute.max-request-cost") && m.contains("lower"), m);
    }

    @Test
    void heavyAboveTheThresholdAndZeroTurnsEitherOff() {
        ComputeBudget budget = new ComputeBudget(4096, 1024);
        assertFalse(budget.isHeavy(1024));
        assertTrue(budget.isHeavy(1025));
        ComputeBudget off = new ComputeBudget(0, 0);
        assertEquals(1_000_000L, off.check(key, new Costed(), 1_000_000L));
        assertFalse(off.isHeavy(1_000_000L));
        assertThrows(IllegalArgumentException.class, () -> new ComputeBudget(-1, 0));
    }
}
