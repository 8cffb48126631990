package io.crossmodal.trainer.family.vqvae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.trainer.family.vqvae.study.VqvaeStudy;
import io.crossmodal.trainer.family.vqvae.study.VqvaeStudyConfig;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The study plan's jitter-probability sweep: the committed plans read, bad probabilities are refused, names carry p. */
class VqvaeStudyConfigTest {

    @Test
    void theCommittedStudyAndSweepPlansRead() throws Exception {
        VqvaeStudyConfig study = VqvaeStudyConfig.read(Path.of("../configs/vqvae-study.json"));
        assertNull(study.jitterP(), "the study runs the job's one probability");
        assertTrue(study.figures());
        VqvaeStudyConfig sweep = VqvaeStudyConfig.read(Path.of("../configs/vqvae-jitter-sweep.json"));
        assertEquals(List.of(0.06, 0.25, 0.4, 0.12), sweep.jitterP());
        assertEquals(List.of(true, false), sweep.jitter(), "p = 0 is the jitter-off run");
        assertEquals(false, sweep.figures());
        assertEquals(study.job(), sweep.job(), "the sweep runs the study's job, so its scale");
    }

    @Test
    void probabilitiesOutsideTheJobsRangeAreRefused() {
        for (List<Double> bad : List.of(List.<Double>of(), List.of(0.0), List.of(0.12, 0.6), List.of(-0.1))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new VqvaeStudyConfig("job.json",
                    List.of("vq"), List.of(true), bad, List.of(1L), List.of("theo"), null, null, null));
            assertTrue(e.getMessage().contains("(0, 0.5]"), e.getMessage());
        }
    }

    @Test
    void sweptRunNamesCarryTheProbabilityAndTheJobTakesIt() {
        assertEquals("vq-jitter-p0.12-s1", VqvaeStudy.runName("vq", true, 0.12, 1));
        assertEquals("vq-jitter-p0.4-s3", VqvaeStudy.runName("vq", true, 0.40, 3));
        assertEquals("vq-nojitter-s2", VqvaeStudy.runName("vq", false, 0, 2));
        assertEquals("vq-jitter-s2", VqvaeStudy.runName("vq", true, 2), "the study's names are unchanged");
        VqvaeConfig job = VqvaeTestModels.tiny("vq", "gru", true, false, 0).with("vq", true, 0.25, 5, "runs/x");
        assertEquals(0.25, job.jitterP());
        assertEquals(5, job.seed());
        VqvaeConfig tiny = VqvaeTestModels.tiny("vq", "gru", true, false, 0);
        assertEquals(tiny.jitterP(), tiny.with("vq", true, 5, "r").jitterP(), "without p the job keeps its own");
    }
}
