package dev.redraft.coordinator.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalDouble;

/** GETs a node's admin HTTP endpoints and reads samples out of the Prometheus text format. */
public final class AdminHttp {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  public record Response(int status, String body) {}

  private AdminHttp() {}

  public static Response get(String url) {
    try {
      HttpResponse<String> response = HTTP.send(
          HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      return new Response(response.statusCode(), response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * The value of the series {@code name} whose labels include every given label, from a scrape
   * (Prometheus text format); empty if there is none.
   */
  public static OptionalDouble sample(String scrape, String name, Map<String, String> labels) {
    for (String line : scrape.split("\n")) {
      if (line.startsWith("#") || !(line.startsWith(name + "{") || line.startsWith(name + " "))) {
        continue;
      }
      int space = line.lastIndexOf(' ');
      String series = line.substring(0, space);
      if (labels.entrySet().stream().allMatch(e -> series.contains(e.getKey() + "=\"" + e.getValue() + "\""))) {
        return OptionalDouble.of(Double.parseDouble(line.substring(space + 1)));
      }
    }
    return OptionalDouble.empty();
  }

  public static double value(String scrape, String name, Map<String, String> labels) {
    return sample(scrape, name, labels).orElseThrow(
        () -> new AssertionError("no series " + name + labels + " in the scrape:\n" + scrape));
  }
}
