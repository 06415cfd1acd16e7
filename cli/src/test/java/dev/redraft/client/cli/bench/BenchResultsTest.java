package dev.redraft.client.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

/** The pieces of the benchmark that need no server: percentiles, medians and ratios, files, chart. */
class BenchResultsTest {

  @Test
  void percentilesComeFromTheHistogramInMilliseconds() {
    Histogram micros = LatencySummary.newHistogram();
    for (int i = 1; i <= 1000; i++) {
      micros.recordValue(i * 10L); // 10 µs .. 10 ms
    }
    LatencySummary summary = LatencySummary.of(micros);

    assertThat(summary.count()).isEqualTo(1000);
    assertThat(summary.p50()).isCloseTo(5.0, within(0.01));
    assertThat(summary.p95()).isCloseTo(9.5, within(0.01));
    assertThat(summary.p99()).isCloseTo(9.9, within(0.01));
    assertThat(summary.p999()).isCloseTo(9.99, within(0.01));
    assertThat(summary.max()).isCloseTo(10.0, within(0.01));
    assertThat(LatencySummary.of(LatencySummary.newHistogram())).isEqualTo(LatencySummary.EMPTY);
  }

  @Test
  void mediansPerTargetAndRatiosWithinTheSameRun() {
    List<PointResult> results = new ArrayList<>();
    // Run 1: redraft 100, raw 1000. Run 2: 300 vs 1000. Run 3: 200 vs 400.
    results.add(point(1, "redraft", 50, 100));
    results.add(point(1, "redis-raw", 50, 1000));
    results.add(point(2, "redraft", 50, 300));
    results.add(point(2, "redis-raw", 50, 1000));
    results.add(point(3, "redraft", 50, 200));
    results.add(point(3, "redis-raw", 50, 400));
    Comparison comparison = new Comparison(results);

    assertThat(comparison.targets()).containsExactly("redraft", "redis-raw");
    assertThat(comparison.row("redraft", 50).orElseThrow().throughput()).isCloseTo(200, within(0.01));
    assertThat(comparison.row("redis-raw", 50).orElseThrow().throughput()).isCloseTo(1000, within(0.01));
    Comparison.Ratio ratio = comparison.ratios().get(0);
    assertThat(ratio.baseline()).isEqualTo("redis-raw");
    // Per run 0.1, 0.3, 0.5: the median of the ratios, not the ratio of the medians (0.2).
    assertThat(ratio.median()).isCloseTo(0.3, within(1e-9));
    assertThat(Comparison.median(List.of(4.0, 1.0, 3.0, 2.0))).isEqualTo(2.5);
  }

  @Test
  void csvHasOneRowPerPointAndJsonHoldsPointsMediansAndRatios() {
    List<PointResult> results = List.of(point(1, "redraft", 4, 150), point(1, "redis-raw", 4, 600));
    LoadSettings settings = new LoadSettings(List.of(4), 100, 1000, OperationMix.parse("set"), 10,
        Duration.ofSeconds(2), 0, Duration.ZERO, 1);
    Comparison comparison = new Comparison(results);

    String[] csv = ResultWriter.csv(results).split("\n");
    assertThat(csv).hasSize(3);
    assertThat(csv[0]).isEqualTo(ResultWriter.CSV_HEADER);
    assertThat(csv[1]).startsWith("1,redraft,4,all,\"set=1\",100,2.000,300,150.000,");
    assertThat(csv[1].split(",", -1)).hasSize(csv[0].split(",").length + 0);
    String[] columns = csv[1].replaceFirst("\"[^\"]*\"", "").split(",", -1);
    assertThat(columns[16]).as("cpu_us_per_op: every watched process").isEqualTo("30.000");
    assertThat(columns[18]).as("target_cpu_us_per_op: without the load generator").isEqualTo("20.000");
    assertThat(columns[19]).as("jit_us_per_op: the target's JIT compilers").isEqualTo("4.000");

    JsonObject json = JsonParser.parseString(ResultWriter.json(settings, results, comparison)).getAsJsonObject();
    assertThat(json.getAsJsonArray("points")).hasSize(2);
    assertThat(json.getAsJsonArray("medians")).hasSize(2);
    JsonObject ratio = json.getAsJsonArray("ratios").get(0).getAsJsonObject();
    assertThat(ratio.get("baseline").getAsString()).isEqualTo("redis-raw");
    assertThat(ratio.get("median").getAsDouble()).isCloseTo(0.25, within(1e-9));
    assertThat(json.getAsJsonObject("settings").get("value_size").getAsInt()).isEqualTo(100);
    JsonObject cpu = json.getAsJsonArray("points").get(0).getAsJsonObject().getAsJsonObject("cpu_us_per_op");
    assertThat(cpu.get("total").getAsDouble()).isEqualTo(30.0);
    assertThat(json.getAsJsonArray("points").get(0).getAsJsonObject().get("jit_cpu_us_per_op").getAsDouble())
        .isEqualTo(4.0);
    assertThat(csv[1]).contains(",30.000,");
  }

  @Test
  void chartIsWellFormedSvgWithALinePerTargetInEachPanel() throws Exception {
    List<PointResult> results = new ArrayList<>();
    for (int clients : List.of(1, 4, 16)) {
      results.add(point(1, "redraft", clients, 100.0 * clients));
      results.add(point(1, "redis-raw", clients, 1000.0 * clients));
    }
    String svg = SvgChart.render(new Comparison(results), "test <chart>");

    Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    assertThat(doc.getDocumentElement().getTagName()).isEqualTo("svg");
    assertThat(doc.getElementsByTagName("polyline").getLength()).isEqualTo(4);
    assertThat(svg).contains("redraft").contains("redis-raw").contains("test &lt;chart&gt;");
  }

  @Test
  void aPointWhoseJvmsStillCompileSaysSoAndAWarmOneDoesNot() {
    StringWriter text = new StringWriter();
    BenchReport.point(new PrintWriter(text), point(1, "redraft", 50, 1000, 3.0), 1);
    assertThat(text.toString()).contains("(of which JIT compilers 3.0)").contains("prewarm longer");

    StringWriter warm = new StringWriter();
    BenchReport.point(new PrintWriter(warm), point(1, "redraft", 50, 1000, 0.0), 1);
    assertThat(warm.toString()).contains("cpu us/op").doesNotContain("JIT").doesNotContain("prewarm");
  }

  private static PointResult point(int run, String target, int clients, double opsPerSecond) {
    return point(run, target, clients, opsPerSecond, 4.0);
  }

  private static PointResult point(int run, String target, int clients, double opsPerSecond, double jitMicrosPerOp) {
    double seconds = 2.0;
    long ops = Math.round(opsPerSecond * seconds);
    LatencySummary latency = new LatencySummary(ops, 1, 2, 3, 4, 5, 1.5);
    return new PointResult(run, target, clients, "set=1", 100, seconds, ops, 0, latency,
        Map.of(Operation.SET, latency), null,
        new CpuMeter.Usage(Map.of(CpuMeter.GENERATOR, 10.0, "total", 30.0), jitMicrosPerOp, 0));
  }
}
