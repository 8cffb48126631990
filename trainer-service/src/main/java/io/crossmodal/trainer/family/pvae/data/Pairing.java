package io.crossmodal.trainer.family.pvae.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Which examples are paired and which are not, and the batches of one epoch.
 * <ul>
 * <li>All paired ({@code pairedPerDigit == 0}, the paper): every training recording is paired, at
 * each epoch anew, with a random training image of the same digit.</li>
 * <li>Little paired data ({@code N > 0}): N recordings and N images per digit, chosen once from the
 * seed, form N fixed pairs per digit; every other recording and image is unpaired.</li>
 * <li>Unimodal (the VAE baselines): everything of the one modality is unpaired.</li>
 * </ul>
 * Negatives for the contrast term: for each pair, a paired recording and a paired image of
 * another digit, drawn at random. Indices refer to the training lists of {@link PvaeData}.
 */
public final class Pairing {

    /** One step: parallel pair indices (speech, image, negative speech, negative image) and solo indices. */
    public record Step(int[] pairSpeech, int[] pairImage, int[] negSpeech, int[] negImage, int[] soloSpeech, int[] soloImage) {}

    private final List<List<Integer>> imagesByDigit = new ArrayList<>();
    private final List<List<Integer>> pairedSpeechByDigit = new ArrayList<>();
    private final List<Integer> pairedSpeech = new ArrayList<>();
    private final List<Integer> fixedImage = new ArrayList<>();
    private final List<Integer> soloSpeech = new ArrayList<>();
    private final List<Integer> soloImage = new ArrayList<>();
    private final int[] speechDigit;
    private final int[] imageDigit;
    private final boolean fixed;

    public Pairing(int[] speechDigit, int[] imageDigit, boolean useSpeech, boolean useImages, int pairedPerDigit, long seed) {
        this.speechDigit = speechDigit;
        this.imageDigit = imageDigit;
        this.fixed = pairedPerDigit > 0;
        Random rnd = new Random(seed * 31 + 17);
        List<List<Integer>> speechByDigit = byDigit(speechDigit);
        List<List<Integer>> imgByDigit = byDigit(imageDigit);
        for (int d = 0; d < 10; d++) {
            Collections.shuffle(speechByDigit.get(d), rnd);
            Collections.shuffle(imgByDigit.get(d), rnd);
        }
        boolean both = useSpeech && useImages;
        for (int d = 0; d < 10; d++) {
            List<Integer> sp = speechByDigit.get(d);
            List<Integer> im = imgByDigit.get(d);
            if (!both) {
                if (useSpeech) {
                    soloSpeech.addAll(sp);
                } else {
                    soloImage.addAll(im);
                }
                imagesByDigit.add(List.of());
                pairedSpeechByDigit.add(List.of());
                continue;
            }
            if (!fixed) {
                pairedSpeech.addAll(sp);
                imagesByDigit.add(im);
                pairedSpeechByDigit.add(sp);
                continue;
            }
            int n = Math.min(pairedPerDigit, Math.min(sp.size(), im.size()));
            pairedSpeech.addAll(sp.subList(0, n));
            fixedImage.addAll(im.subList(0, n));
            pairedSpeechByDigit.add(List.copyOf(sp.subList(0, n)));
            imagesByDigit.add(List.copyOf(im.subList(0, n)));
            soloSpeech.addAll(sp.subList(n, sp.size()));
            soloImage.addAll(im.subList(n, im.size()));
        }
    }

    public int pairs() {
        return pairedSpeech.size();
    }

    public int soloSpeech() {
        return soloSpeech.size();
    }

    public int soloImages() {
        return soloImage.size();
    }

    public int stepsPerEpoch(int batch) {
        int n = Math.max(pairs(), Math.max(soloSpeech(), soloImages()));
        return (n + batch - 1) / batch;
    }

    /** The steps of one epoch; smaller groups are cycled (reshuffled) to fill every step. */
    public List<Step> epoch(int batch, Random rnd) {
        int steps = stepsPerEpoch(batch);
        int[] pairOrder = order(pairs(), steps * batch, rnd);
        int[] speechOrder = order(soloSpeech(), steps * batch, rnd);
        int[] imageOrder = order(soloImages(), steps * batch, rnd);
        List<Step> out = new ArrayList<>(steps);
        for (int s = 0; s < steps; s++) {
            int[] ps = null;
            int[] pi = null;
            int[] ns = null;
            int[] ni = null;
            if (pairs() > 0) {
                int p = Math.min(batch, pairs());
                ps = new int[p];
                pi = new int[p];
                ns = new int[p];
                ni = new int[p];
                for (int k = 0; k < p; k++) {
                    int which = pairOrder[s * batch + k];
                    ps[k] = pairedSpeech.get(which);
                    int digit = speechDigit[ps[k]];
                    pi[k] = fixed ? fixedImage.get(which) : pick(imagesByDigit.get(digit), rnd);
                    int other = (digit + 1 + rnd.nextInt(9)) % 10;
                    ns[k] = pick(pairedSpeechByDigit.get(other), rnd);
                    ni[k] = pick(imagesByDigit.get(other), rnd);
                }
            }
            out.add(new Step(ps, pi, ns, ni, slice(soloSpeech, speechOrder, s, batch), slice(soloImage, imageOrder, s, batch)));
        }
        return out;
    }

    private static int pick(List<Integer> pool, Random rnd) {
        return pool.get(rnd.nextInt(pool.size()));
    }

    private static int[] slice(List<Integer> pool, int[] order, int step, int batch) {
        if (pool.isEmpty()) {
            return null;
        }
        int n = Math.min(batch, pool.size());
        int[] out = new int[n];
        for (int k = 0; k < n; k++) {
            out[k] = pool.get(order[step * batch + k]);
        }
        return out;
    }

    /** {@code length} indices into [0, n): concatenated shuffled permutations. */
    private static int[] order(int n, int length, Random rnd) {
        int[] out = new int[length];
        if (n == 0) {
            return out;
        }
        List<Integer> perm = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            perm.add(i);
        }
        for (int pos = 0; pos < length; ) {
            Collections.shuffle(perm, rnd);
            for (int i = 0; i < n && pos < length; i++) {
                out[pos++] = perm.get(i);
            }
        }
        return out;
    }

    private static List<List<Integer>> byDigit(int[] digits) {
        List<List<Integer>> out = new ArrayList<>();
        for (int d = 0; d < 10; d++) {
            out.add(new ArrayList<>());
        }
        for (int i = 0; i < digits.length; i++) {
            out.get(digits[i]).add(i);
        }
        return out;
    }
}
