package io.crossmodal.trainer.family.pvae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.trainer.family.pvae.data.Pairing;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Pairs share a class, negatives do not; little-paired mode keeps N fixed pairs per digit and the rest unpaired. */
class PairingTest {

    private static int[] labels(int perDigit) {
        int[] out = new int[perDigit * 10];
        for (int i = 0; i < out.length; i++) {
            out[i] = i % 10;
        }
        return out;
    }

    @Test
    void everyRecordingIsPairedEachEpochWithAnImageOfItsDigit() {
        int[] speech = labels(20);
        int[] images = labels(50);
        Pairing p = new Pairing(speech, images, true, true, 0, 1);
        assertEquals(200, p.pairs());
        assertEquals(0, p.soloSpeech());
        Set<Integer> seen = new HashSet<>();
        Map<Integer, Set<Integer>> partners = new HashMap<>();
        for (int epoch = 0; epoch < 3; epoch++) {
            for (Pairing.Step s : p.epoch(32, new Random(epoch))) {
                assertNull(s.soloSpeech());
                for (int k = 0; k < s.pairSpeech().length; k++) {
                    assertEquals(speech[s.pairSpeech()[k]], images[s.pairImage()[k]], "pair of different digits");
                    assertNotEquals(speech[s.pairSpeech()[k]], speech[s.negSpeech()[k]], "negative speech of the same digit");
                    assertNotEquals(images[s.pairImage()[k]], images[s.negImage()[k]], "negative image of the same digit");
                    seen.add(s.pairSpeech()[k]);
                    partners.computeIfAbsent(s.pairSpeech()[k], x -> new HashSet<>()).add(s.pairImage()[k]);
                }
            }
        }
        assertEquals(200, seen.size(), "every recording is used");
        assertTrue(partners.values().stream().anyMatch(v -> v.size() > 1), "pairs are drawn anew each epoch");
    }

    @Test
    void littlePairedDataKeepsNFixedPairsPerDigit() {
        int[] speech = labels(30);
        int[] images = labels(60);
        Pairing p = new Pairing(speech, images, true, true, 10, 7);
        assertEquals(100, p.pairs());
        assertEquals(200, p.soloSpeech());
        assertEquals(500, p.soloImages());
        Map<Integer, Integer> partner = new HashMap<>();
        Set<Integer> pairedSpeech = new HashSet<>();
        Set<Integer> soloSpeech = new HashSet<>();
        Set<Integer> pairedImages = new HashSet<>();
        Set<Integer> soloImages = new HashSet<>();
        for (int epoch = 0; epoch < 2; epoch++) {
            for (Pairing.Step s : p.epoch(16, new Random(epoch))) {
                for (int k = 0; k < s.pairSpeech().length; k++) {
                    Integer before = partner.put(s.pairSpeech()[k], s.pairImage()[k]);
                    assertTrue(before == null || before == s.pairImage()[k], "a fixed pair changed partner");
                    assertEquals(speech[s.pairSpeech()[k]], images[s.pairImage()[k]]);
                    pairedSpeech.add(s.pairSpeech()[k]);
                    pairedImages.add(s.pairImage()[k]);
                }
                for (int i : s.soloSpeech()) {
                    soloSpeech.add(i);
                }
                for (int i : s.soloImage()) {
                    soloImages.add(i);
                }
            }
        }
        assertEquals(100, pairedSpeech.size());
        assertTrue(pairedSpeech.stream().noneMatch(soloSpeech::contains), "a paired recording is also unpaired");
        assertTrue(pairedImages.stream().noneMatch(soloImages::contains), "a paired image is also unpaired");
        for (int d = 0; d < 10; d++) {
            int digit = d;
            assertEquals(10, pairedSpeech.stream().filter(i -> speech[i] == digit).count(), "pairs of digit " + d);
        }
    }

    @Test
    void unimodalBaselineHasNoPairs() {
        Pairing p = new Pairing(labels(5), labels(5), false, true, 0, 1);
        assertEquals(0, p.pairs());
        assertEquals(50, p.soloImages());
        List<Pairing.Step> steps = p.epoch(8, new Random(1));
        assertEquals(7, steps.size());
        assertNull(steps.get(0).pairSpeech());
    }
}
