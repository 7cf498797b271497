using Prometheus;

namespace Cetus.ApiServer.Http;

/// <summary>
/// The API server's Prometheus metrics, named as kube-apiserver names them so existing dashboards read them:
/// requests by verb, resource and code with their latency, open watches, datastore latency, requests refused for load;
/// and the process's own figures, as kube-apiserver exports process_* and go_* ones: CPU, memory, descriptors, threads
/// (<c>process_cpu_seconds_total</c>, <c>process_resident_memory_bytes</c>, <c>process_open_fds</c>, …), the .NET collector's collections by
/// generation, bytes allocated and time paused (<c>dotnet_collection_count_total</c>,
/// <c>dotnet_gc_allocated_bytes_total</c>, <c>dotnet_gc_pause_seconds_total</c>). In <c>cetus server</c> the process
/// is also the controller manager's and the scheduler's.
/// </summary>
internal sealed class ApiMetrics
{
    private static readonly double[] LatencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60];

    public ApiMetrics()
    {
        Registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(Registry);
        Requests = factory.CreateCounter("apiserver_request_total", "Counter of apiserver requests broken out for each verb, group, version, resource, subresource and HTTP response code.", "verb", "group", "version", "resource", "subresource", "code");
        Latency = factory.CreateHistogram("apiserver_request_duration_seconds", "Response latency distribution in seconds for each verb, group, version, resource and subresource.", new HistogramConfiguration
        {
            LabelNames = ["verb", "group", "version", "resource", "subresource"],
            Buckets = LatencyBuckets,
        });
        LongRunning = factory.CreateGauge("apiserver_longrunning_requests", "Gauge of all active long-running apiserver requests (watches) broken out by resource.", "verb", "group", "version", "resource");
        StoreLatency = factory.CreateHistogram("etcd_request_duration_seconds", "Datastore request latency in seconds for each operation and object type.", new HistogramConfiguration
        {
            LabelNames = ["operation", "type"],
            Buckets = LatencyBuckets,
        });
        Dropped = factory.CreateCounter("apiserver_dropped_requests_total", "Number of requests dropped with 'Try again later' response.", "request_kind");
        DotNetStats.Register(Registry);
        var allocated = factory.CreateCounter("dotnet_gc_allocated_bytes_total", "Bytes allocated on the managed heap since the process started.");
        var paused = factory.CreateCounter("dotnet_gc_pause_seconds_total", "Time the garbage collector has paused the process since it started, in seconds.");
        // The names Prometheus' own process collector (and so kube-apiserver) gives these.
        var resident = factory.CreateGauge("process_resident_memory_bytes", "Resident memory size in bytes.");
        var descriptors = factory.CreateGauge("process_open_fds", "Number of open file descriptors.");
        Registry.AddBeforeCollectCallback(() =>
        {
            allocated.IncTo(GC.GetTotalAllocatedBytes());
            paused.IncTo(GC.GetTotalPauseDuration().TotalSeconds);
            resident.Set(Environment.WorkingSet);
            if (OperatingSystem.IsLinux())
            {
                descriptors.Set(Directory.EnumerateFileSystemEntries("/proc/self/fd").Count());
            }
        });
    }

    public CollectorRegistry Registry { get; }

    public Counter Requests { get; }

    public Histogram Latency { get; }

    public Gauge LongRunning { get; }

    public Histogram StoreLatency { get; }

    public Counter Dropped { get; }
}
