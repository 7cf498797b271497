using Cetus.Testing;
using Xunit;

namespace Cetus.ApiServer.Tests.Integration;

/// <summary>
/// /metrics carries the process's own figures beside the API server's (as kube-apiserver exports process_* and go_*
/// ones): CPU, memory, and the garbage collector's collections, bytes allocated and pauses, which grow with the work.
/// </summary>
public sealed class ProcessMetricsTests(ApiServerFixture server) : IClassFixture<ApiServerFixture>
{
    [Fact]
    public async Task Metrics_CarryTheProcessAndTheCollector_GrowingWithRequests()
    {
        var before = await ReadAsync();
        Assert.True(before["process_cpu_seconds_total"] > 0, "process_cpu_seconds_total");
        Assert.True(before["process_working_set_bytes"] > 0, "process_working_set_bytes");
        Assert.True(before["process_resident_memory_bytes"] > 0, "process_resident_memory_bytes (Prometheus' name, as kube-apiserver's)");
        Assert.True(before["process_open_fds"] > 2, "process_open_fds");
        Assert.True(before["dotnet_gc_allocated_bytes_total"] > 0, "dotnet_gc_allocated_bytes_total");
        Assert.True(before.ContainsKey("dotnet_gc_pause_seconds_total"), "dotnet_gc_pause_seconds_total");
        Assert.True(before.ContainsKey("dotnet_collection_count_total{generation=\"0\"}"), string.Join(", ", before.Keys));

        for (var i = 0; i < 50; i++)
        {
            using var response = await server.Client.GetAsync("/api/v1/namespaces/default");
            response.EnsureSuccessStatusCode();
        }

        var after = await ReadAsync();
        Assert.True(after["dotnet_gc_allocated_bytes_total"] > before["dotnet_gc_allocated_bytes_total"], "the requests allocated");
        Assert.True(after["process_cpu_seconds_total"] >= before["process_cpu_seconds_total"], "CPU time never goes back");
        Assert.True(after["dotnet_gc_pause_seconds_total"] >= before["dotnet_gc_pause_seconds_total"], "pause time never goes back");
    }

    private async Task<Dictionary<string, double>> ReadAsync() => MetricSamples.Parse(await server.Client.GetStringAsync("/metrics"));
}
