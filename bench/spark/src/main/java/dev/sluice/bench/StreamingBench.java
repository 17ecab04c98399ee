package dev.sluice.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.Optional;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.streaming.Durations;
import org.apache.spark.streaming.Time;
import org.apache.spark.streaming.api.java.JavaDStream;
import org.apache.spark.streaming.api.java.JavaPairDStream;
import org.apache.spark.streaming.api.java.JavaStreamingContext;
import org.apache.spark.streaming.scheduler.BatchInfo;
import org.apache.spark.streaming.scheduler.StreamingListener;
import org.apache.spark.streaming.scheduler.StreamingListenerBatchCompleted;

import scala.Tuple2;

/**
 * The Spark Streaming side of the Sluice comparison (bench/spark-compare/). Runs one of four jobs on
 * the lines of a TCP server and prints one JSON object per line on stdout:
 * <ul>
 *   <li>{"type":"started",...} once the context runs (with the Spark and Java versions);</li>
 *   <li>{"type":"batch",...} per completed batch: batch time, records, scheduling and processing
 *       delay, the time the job's output action returned ("outputAt", absent when the batch had no
 *       output, e.g. between window slides), its result, and with --latency the histogram of the
 *       batch's record creation times ("created": [[ms, count], ...]).</li>
 * </ul>
 * The jobs mirror bench/spark-compare/sluice-job.ts line for line:
 * 1 filter lines containing "error", count per batch; 2 word count (reduceByKey) per batch;
 * 3 requests per IP over a 30 s window sliding every 10 s with the inverse reduce;
 * 4 running count per IP with updateStateByKey. Outputs are RDD actions in foreachRDD: count, except
 * job 3's sum of the window's values (the requests in the window).
 *
 * <p>Usage: StreamingBench --job N --port P --interval-ms I --block-ms B --checkpoint DIR
 * --local-dir DIR [--latency]
 */
public final class StreamingBench {
  /** Batch time -> {time the output action returned, its result}; read by the listener. */
  private static final Map<Long, long[]> OUTPUTS = new ConcurrentHashMap<>();
  /** Batch time -> histogram of creation times (ms -> records); read by the listener. */
  private static final Map<Long, Map<Long, Long>> CREATED = new ConcurrentHashMap<>();

  private StreamingBench() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> a = parseArgs(args);
    int job = Integer.parseInt(require(a, "job"));
    int port = Integer.parseInt(require(a, "port"));
    long intervalMs = Long.parseLong(require(a, "interval-ms"));
    long blockMs = Long.parseLong(require(a, "block-ms"));
    boolean latency = a.containsKey("latency");

    SparkConf conf = new SparkConf()
        .setMaster("local[2]")
        .setAppName("sluice-compare-job" + job)
        .set("spark.ui.enabled", "false")
        .set("spark.driver.host", "127.0.0.1")
        .set("spark.driver.bindAddress", "127.0.0.1")
        .set("spark.local.dir", require(a, "local-dir"))
        .set("spark.streaming.blockInterval", blockMs + "ms")
        .set("spark.serializer", "org.apache.spark.serializer.KryoSerializer");
    JavaStreamingContext ssc = new JavaStreamingContext(conf, Durations.milliseconds(intervalMs));
    ssc.sparkContext().setLogLevel("WARN");
    if (job == 3 || job == 4) ssc.checkpoint(require(a, "checkpoint"));

    // One machine, one executor: replication (the default _2 level) has no peer to go to.
    JavaDStream<String> lines = ssc.socketTextStream("127.0.0.1", port, StorageLevel.MEMORY_AND_DISK_SER());
    buildJob(job, lines);
    if (latency) {
      // A second output over the same input: the creation times of the batch's records, bucketed
      // by millisecond (the last field of each line). Sluice runs the same pass.
      lines.foreachRDD((rdd, time) -> {
        List<HashMap<Long, Long>> parts = rdd.mapPartitions(StreamingBench::createdHistogram).collect();
        Map<Long, Long> all = new HashMap<>();
        for (HashMap<Long, Long> p : parts) p.forEach((ms, n) -> all.merge(ms, n, Long::sum));
        CREATED.put(time.milliseconds(), all);
      });
    }

    ssc.addStreamingListener(new BatchPrinter());
    ssc.start();
    emit("{\"type\":\"started\",\"engine\":\"spark\",\"spark\":\"" + ssc.sparkContext().version()
        + "\",\"java\":\"" + System.getProperty("java.version") + "\",\"time\":" + System.currentTimeMillis() + "}");
    ssc.awaitTermination();
  }

  private static void buildJob(int job, JavaDStream<String> lines) {
    switch (job) {
      case 1 -> lines.filter(l -> l.contains("error")).foreachRDD((rdd, time) -> output(time, rdd.count()));
      case 2 -> lines
          .flatMap(l -> java.util.Arrays.asList(l.split(" ")).iterator())
          .mapToPair(w -> new Tuple2<>(w, 1L))
          .reduceByKey(Long::sum)
          .foreachRDD((rdd, time) -> output(time, rdd.count()));
      case 3 -> byIp(lines)
          .reduceByKeyAndWindow(Long::sum, (x, y) -> x - y, Durations.seconds(30), Durations.seconds(10))
          // The requests in the window (the sum over IPs): checkable against the lines offered.
          .foreachRDD((rdd, time) -> output(time, rdd.values().fold(0L, Long::sum)));
      case 4 -> byIp(lines)
          .updateStateByKey((List<Long> values, Optional<Long> state) -> Optional.of(state.orElse(0L) + values.size()))
          .foreachRDD((rdd, time) -> output(time, rdd.count()));
      default -> throw new IllegalArgumentException("--job must be 1, 2, 3 or 4, got " + job);
    }
  }

  /** (ip, 1) per line; the IP is the first field. */
  private static JavaPairDStream<String, Long> byIp(JavaDStream<String> lines) {
    return lines.mapToPair(l -> new Tuple2<>(l.substring(0, l.indexOf(' ')), 1L));
  }

  private static void output(Time time, long result) {
    OUTPUTS.put(time.milliseconds(), new long[] {System.currentTimeMillis(), result});
  }

  private static Iterator<HashMap<Long, Long>> createdHistogram(Iterator<String> it) {
    HashMap<Long, Long> h = new HashMap<>();
    while (it.hasNext()) {
      String l = it.next();
      long ms = Long.parseLong(l, l.lastIndexOf(' ') + 1, l.length(), 10);
      h.merge(ms, 1L, Long::sum);
    }
    List<HashMap<Long, Long>> one = new ArrayList<>(1);
    one.add(h);
    return one.iterator();
  }

  /** Prints one JSON line per completed batch. */
  private static final class BatchPrinter implements StreamingListener {
    @Override
    public void onBatchCompleted(StreamingListenerBatchCompleted event) {
      BatchInfo info = event.batchInfo();
      long t = info.batchTime().milliseconds();
      StringBuilder s = new StringBuilder(256);
      s.append("{\"type\":\"batch\",\"batchTime\":").append(t)
          .append(",\"records\":").append(info.numRecords())
          .append(",\"submissionTime\":").append(info.submissionTime())
          .append(",\"schedulingDelay\":").append((long) (Long) info.schedulingDelay().get())
          .append(",\"processingDelay\":").append((long) (Long) info.processingDelay().get())
          .append(",\"processingEnd\":").append((long) (Long) info.processingEndTime().get());
      long[] out = OUTPUTS.remove(t);
      if (out != null) s.append(",\"outputAt\":").append(out[0]).append(",\"result\":").append(out[1]);
      Map<Long, Long> created = CREATED.remove(t);
      if (created != null) {
        s.append(",\"created\":[");
        boolean first = true;
        for (Map.Entry<Long, Long> e : created.entrySet()) {
          if (!first) s.append(',');
          first = false;
          s.append('[').append(e.getKey()).append(',').append(e.getValue()).append(']');
        }
        s.append(']');
      }
      emit(s.append('}').toString());
    }
  }

  private static void emit(String json) {
    synchronized (System.out) {
      System.out.println(json);
      System.out.flush();
    }
  }

  private static Map<String, String> parseArgs(String[] args) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--")) throw new IllegalArgumentException("unexpected argument " + args[i]);
      String k = args[i].substring(2);
      if (i + 1 < args.length && !args[i + 1].startsWith("--")) m.put(k, args[++i]);
      else m.put(k, "");
    }
    return m;
  }

  private static String require(Map<String, String> a, String key) {
    String v = a.get(key);
    if (v == null || v.isEmpty()) throw new IllegalArgumentException("missing --" + key);
    return v;
  }
}
