package io.crossmodal.trainer.family.pvae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.trainer.family.pvae.eval.KMeansPurity;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Purity is the cluster-size-weighted majority share; k-means finds well-separated classes. */
class KMeansPurityTest {

    @Test
    void purityByHand() {
        // cluster 0: labels 1,1,2 (majority 2 of 3); cluster 1: 3,3,3,4 (3 of 4) -> 5/7
        assertEquals(5.0 / 7, KMeansPurity.purity(new int[] {0, 0, 0, 1, 1, 1, 1}, new int[] {1, 1, 2, 3, 3, 3, 4}), 1e-12);
    }

    @Test
    void separatedBlobsArePureAndMixedLabelsAreNot() {
        Random rnd = new Random(5);
        int n = 300;
        double[][] x = new double[n][4];
        int[] labels = new int[n];
        int[] random = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 10;
            random[i] = rnd.nextInt(10);
            for (int j = 0; j < 4; j++) {
                x[i][j] = 20 * ((labels[i] >> (j % 4)) & 1) + 40 * (labels[i] / 4 == j ? 1 : 0) + rnd.nextGaussian();
            }
        }
        KMeansPurity.Result r = KMeansPurity.cluster(x, labels, 10, 1);
        assertTrue(r.purity() > 0.99, "purity " + r.purity());
        assertTrue(KMeansPurity.cluster(x, random, 10, 1).purity() < 0.3, "random labels should be near chance");
        assertTrue(KMeansPurity.cluster(x, null, 3, 1).inertia() > r.inertia(), "inertia falls with k");
    }

    @Test
    void majorityMembersAreThePerExampleValuesOfPurity() {
        // cluster 0: labels 1,1,2 (majority 1); cluster 1: labels 3,4 (tie: the smaller label, 3); cluster 2: label 5
        int[] clusters = {0, 0, 0, 1, 1, 2};
        int[] labels = {1, 1, 2, 3, 4, 5};
        double[] m = KMeansPurity.majorityMembers(clusters, labels);
        org.junit.jupiter.api.Assertions.assertArrayEquals(new double[] {1, 1, 0, 1, 0, 1}, m);
        assertEquals(KMeansPurity.purity(clusters, labels), java.util.Arrays.stream(m).average().orElseThrow(), 1e-12);
    }
}
