package dev.herokuconnect.operator.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Watches the operator process: its peak resident set (VmHWM, kept by the kernel) and, from
 * its /metrics, the largest heap in use seen while it works (sampled five times a second).
 */
final class ProcessWatcher implements AutoCloseable {
  private static final Pattern HEAP = Pattern.compile("jvm_memory_used_bytes\\{area=\"heap\",id=\"[^\"]+\"\\} ([0-9.eE+]+)");
  private final long pid;
  private final Thread sampler;
  private volatile long peakHeapBytes;

  ProcessWatcher(long pid, int metricsPort) {
    this.pid = pid;
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).build();
    sampler = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        try {
          Matcher m = HEAP.matcher(http.send(req, HttpResponse.BodyHandlers.ofString()).body());
          long heap = 0;
          while (m.find()) heap += (long) Double.parseDouble(m.group(1));
          peakHeapBytes = Math.max(peakHeapBytes, heap);
          Thread.sleep(200);
        } catch (InterruptedException e) {
          return;
        } catch (Exception notUpYet) {
          // the operator is starting or gone
        }
      }
    }, "heap-sampler");
    sampler.setDaemon(true);
    sampler.start();
  }

  long peakRssKib() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("\\D", ""));
      }
    } catch (Exception gone) {
      // the process ended
    }
    return -1;
  }

  long peakHeapMib() {
    return peakHeapBytes >> 20;
  }

  @Override
  public void close() {
    sampler.interrupt();
  }
}
