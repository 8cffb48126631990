package io.crossmodal.trainer.family.pvae.eval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tribuo.Example;
import org.tribuo.MutableDataset;
import org.tribuo.clustering.ClusterID;
import org.tribuo.clustering.ClusteringFactory;
import org.tribuo.clustering.kmeans.KMeansModel;
import org.tribuo.clustering.kmeans.KMeansTrainer;
import org.tribuo.impl.ArrayExample;
import org.tribuo.math.distance.DistanceType;
import org.tribuo.math.la.DenseVector;
import org.tribuo.provenance.SimpleDataSourceProvenance;

/**
 * k-means (Tribuo, k-means++ initialisation, Euclidean) over latent vectors, and the
 * cluster-size-weighted purity of METHODS.md: the share of points whose label is the majority
 * label of their cluster. Inertia is the sum of squared distances to the assigned centroid.
 */
public final class KMeansPurity {

    public record Result(int k, double purity, double inertia, int[] clusters) {}

    private KMeansPurity() {
    }

    public static Result cluster(double[][] x, int[] labels, int k, long seed) {
        ClusteringFactory factory = new ClusteringFactory();
        MutableDataset<ClusterID> ds = new MutableDataset<>(new SimpleDataSourceProvenance("latents", factory), factory);
        String[] names = new String[x[0].length];
        for (int j = 0; j < names.length; j++) {
            names[j] = String.format("z%04d", j);
        }
        List<Example<ClusterID>> examples = new ArrayList<>();
        for (double[] row : x) {
            ArrayExample<ClusterID> e = new ArrayExample<>(ClusteringFactory.UNASSIGNED_CLUSTER_ID, names, row);
            examples.add(e);
            ds.add(e);
        }
        KMeansTrainer trainer = new KMeansTrainer(k, 200, DistanceType.L2.getDistance(),
                KMeansTrainer.Initialisation.PLUSPLUS, 1, seed);
        KMeansModel model = trainer.train(ds);
        DenseVector[] centroids = model.getCentroidVectors();
        int[] clusters = new int[x.length];
        double inertia = 0;
        for (int i = 0; i < x.length; i++) {
            // assign to the nearest centroid directly: the same rule k-means used, and it gives the inertia
            double best = Double.POSITIVE_INFINITY;
            for (int c = 0; c < centroids.length; c++) {
                double d = 0;
                for (int j = 0; j < x[i].length; j++) {
                    double diff = x[i][j] - centroids[c].get(j);
                    d += diff * diff;
                }
                if (d < best) {
                    best = d;
                    clusters[i] = c;
                }
            }
            inertia += best;
        }
        return new Result(k, labels == null ? Double.NaN : purity(clusters, labels), inertia, clusters);
    }

    /**
     * Per example, 1 when its label is the majority label of its cluster (ties: the smallest such label),
     * else 0: the values whose mean is {@link #purity}, so the gate's paired bootstrap can resample examples
     * (with the clustering held fixed).
     */
    public static double[] majorityMembers(int[] clusters, int[] labels) {
        Map<Integer, Map<Integer, Integer>> counts = new HashMap<>();
        for (int i = 0; i < clusters.length; i++) {
            counts.computeIfAbsent(clusters[i], c -> new HashMap<>()).merge(labels[i], 1, Integer::sum);
        }
        Map<Integer, Integer> majority = new HashMap<>();
        counts.forEach((cluster, byLabel) -> majority.put(cluster, byLabel.entrySet().stream()
                .max(java.util.Comparator.<Map.Entry<Integer, Integer>>comparingInt(Map.Entry::getValue)
                        .thenComparing(Map.Entry::getKey, java.util.Comparator.reverseOrder()))
                .orElseThrow().getKey()));
        double[] out = new double[clusters.length];
        for (int i = 0; i < clusters.length; i++) {
            out[i] = majority.get(clusters[i]) == labels[i] ? 1 : 0;
        }
        return out;
    }

    /** Cluster-size-weighted purity: sum over clusters of the majority label's count, over n. */
    public static double purity(int[] clusters, int[] labels) {
        Map<Integer, Map<Integer, Integer>> counts = new HashMap<>();
        for (int i = 0; i < clusters.length; i++) {
            counts.computeIfAbsent(clusters[i], c -> new HashMap<>()).merge(labels[i], 1, Integer::sum);
        }
        long majority = 0;
        for (Map<Integer, Integer> c : counts.values()) {
            majority += c.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        }
        return (double) majority / clusters.length;
    }
}
