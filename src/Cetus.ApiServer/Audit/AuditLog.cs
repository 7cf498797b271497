using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using Cetus.ApiServer.Security;

namespace Cetus.ApiServer.Audit;

/// <summary>Where the audit log goes and how it rotates (kube-apiserver's --audit-log-path, -maxsize, -maxbackup).</summary>
public sealed record AuditLogOptions
{
    /// <summary>The file written to; rotated files sit next to it.</summary>
    public required string Path { get; init; }

    /// <summary>The size at which the file is rotated.</summary>
    public long MaxSizeBytes { get; init; } = 100L * 1024 * 1024;

    /// <summary>How many rotated files are kept.</summary>
    public int MaxBackups { get; init; } = 3;
}

/// <summary>One request as the audit log records it (level Metadata: never a request or response body).</summary>
public sealed record AuditEntry
{
    /// <summary>The request's id, also sent back in the Audit-Id header.</summary>
    public required string AuditId { get; init; }

    /// <summary>The path and query.</summary>
    public required string RequestUri { get; init; }

    /// <summary>The Kubernetes verb (get, list, watch, create, update, patch, delete, deletecollection) or the lower-case HTTP method.</summary>
    public required string Verb { get; init; }

    /// <summary>The authenticated user; null when authentication failed.</summary>
    public UserInfo? User { get; init; }

    /// <summary>The user the request acted as, when it impersonated one.</summary>
    public UserInfo? ImpersonatedUser { get; init; }

    /// <summary>The client's address.</summary>
    public string? SourceIp { get; init; }

    /// <summary>The client's User-Agent.</summary>
    public string? UserAgent { get; init; }

    /// <summary>The resource, when the request is for one.</summary>
    public AuditObjectRef? ObjectRef { get; init; }

    /// <summary>The response code.</summary>
    public required int Code { get; init; }

    /// <summary>When the request arrived.</summary>
    public required DateTimeOffset Received { get; init; }

    /// <summary>When the response was complete.</summary>
    public required DateTimeOffset Completed { get; init; }
}

/// <summary>The object a request addressed.</summary>
public sealed record AuditObjectRef(string Resource, string Namespace, string Name, string ApiGroup, string ApiVersion, string Subresource);

/// <summary>
/// The audit log: one JSON line per request in the shape of kube-apiserver's audit.k8s.io/v1 Event at level Metadata
/// (who, what verb on which object, the response code, when it arrived and completed), so tools that read Kubernetes
/// audit logs read it. Entries are queued and written by one background writer; the file is rotated at a size limit
/// and old files beyond the backup count are removed. Bodies are never logged, so no secret's content can appear.
/// </summary>
public sealed class AuditLog : IAsyncDisposable
{
    private const int QueueLimit = 100_000;

    // How long the writer lets entries gather before writing them: one write and flush per batch instead of one per
    // request (2 % of a busy server's CPU went to per-entry writes); at most this much is lost with the process.
    private static readonly TimeSpan BatchWindow = TimeSpan.FromMilliseconds(20);
    private readonly AuditLogOptions _options;
    private readonly Channel<AuditEntry> _queue = Channel.CreateBounded<AuditEntry>(new BoundedChannelOptions(QueueLimit)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.DropWrite,
    });

    private readonly Task _writer;
    private FileStream? _file;
    private long _dropped;

    /// <summary>Opens (appending to) the log file and starts the writer.</summary>
    public AuditLog(AuditLogOptions options)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(options.Path))!;
        SecureFile.EnsurePrivateDirectory(directory);
        _file = Open();
        _writer = Task.Run(WriteAsync);
    }

    /// <summary>Entries dropped because the writer fell more than 100,000 behind.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Queues an entry; never blocks the request.</summary>
    public void Record(AuditEntry entry)
    {
        if (!_queue.Writer.TryWrite(entry))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    /// <summary>Writes what is queued, closes the file.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
    }

    private FileStream Open()
    {
        var options = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.Read, BufferSize = 64 * 1024 };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return new FileStream(_options.Path, options);
    }

    private async Task WriteAsync()
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            if (!reader.Completion.IsCompleted)
            {
                await Task.Delay(BatchWindow).ConfigureAwait(false);
            }

            using (var json = new Utf8JsonWriter(_file!, new JsonWriterOptions { SkipValidation = true }))
            {
                while (reader.TryRead(out var entry))
                {
                    Write(json, entry);
                    json.Flush();
                    _file!.WriteByte((byte)'\n');
                    json.Reset();
                }
            }

            await _file!.FlushAsync().ConfigureAwait(false);
            if (_file.Length >= _options.MaxSizeBytes)
            {
                Rotate();
            }
        }

        await _file!.DisposeAsync().ConfigureAwait(false);
        _file = null;
    }

    // As lumberjack (which kube-apiserver uses): audit.log → audit-2006-01-02T15-04-05.000.log, oldest removed first.
    private void Rotate()
    {
        _file!.Dispose();
        var full = System.IO.Path.GetFullPath(_options.Path);
        var directory = System.IO.Path.GetDirectoryName(full)!;
        var stem = System.IO.Path.GetFileNameWithoutExtension(full);
        var extension = System.IO.Path.GetExtension(full);
        var stamp = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH-mm-ss.fff", CultureInfo.InvariantCulture);
        File.Move(full, System.IO.Path.Combine(directory, $"{stem}-{stamp}{extension}"), overwrite: true);
        var backups = Directory.GetFiles(directory, $"{stem}-*{extension}").Order(StringComparer.Ordinal).ToList();
        foreach (var old in backups.Take(Math.Max(0, backups.Count - _options.MaxBackups)))
        {
            File.Delete(old);
        }

        _file = Open();
    }

    private static void Write(Utf8JsonWriter json, AuditEntry entry)
    {
        json.WriteStartObject();
        json.WriteString("kind", "Event");
        json.WriteString("apiVersion", "audit.k8s.io/v1");
        json.WriteString("level", "Metadata");
        json.WriteString("auditID", entry.AuditId);
        json.WriteString("stage", "ResponseComplete");
        json.WriteString("requestURI", entry.RequestUri);
        json.WriteString("verb", entry.Verb);
        WriteUser(json, "user", entry.User);
        if (entry.ImpersonatedUser is { } impersonated)
        {
            WriteUser(json, "impersonatedUser", impersonated);
        }

        if (entry.SourceIp is { } ip)
        {
            json.WriteStartArray("sourceIPs");
            json.WriteStringValue(ip);
            json.WriteEndArray();
        }

        if (entry.UserAgent is { Length: > 0 } agent)
        {
            json.WriteString("userAgent", agent);
        }

        if (entry.ObjectRef is { } target)
        {
            json.WriteStartObject("objectRef");
            json.WriteString("resource", target.Resource);
            if (target.Namespace.Length > 0)
            {
                json.WriteString("namespace", target.Namespace);
            }

            if (target.Name.Length > 0)
            {
                json.WriteString("name", target.Name);
            }

            json.WriteString("apiGroup", target.ApiGroup);
            json.WriteString("apiVersion", target.ApiVersion);
            if (target.Subresource.Length > 0)
            {
                json.WriteString("subresource", target.Subresource);
            }

            json.WriteEndObject();
        }

        json.WriteStartObject("responseStatus");
        json.WriteStartObject("metadata");
        json.WriteEndObject();
        json.WriteNumber("code", entry.Code);
        json.WriteEndObject();
        json.WriteString("requestReceivedTimestamp", Timestamp(entry.Received));
        json.WriteString("stageTimestamp", Timestamp(entry.Completed));
        json.WriteNumber("latencyMilliseconds", Math.Round((entry.Completed - entry.Received).TotalMilliseconds, 3));
        json.WriteEndObject();
    }

    private static void WriteUser(Utf8JsonWriter json, string property, UserInfo? user)
    {
        json.WriteStartObject(property);
        if (user is not null)
        {
            json.WriteString("username", user.Name);
            if (user.Uid.Length > 0)
            {
                json.WriteString("uid", user.Uid);
            }

            json.WriteStartArray("groups");
            foreach (var group in user.Groups)
            {
                json.WriteStringValue(group);
            }

            json.WriteEndArray();
            if (user.Extra.Count > 0)
            {
                json.WriteStartObject("extra");
                foreach (var (key, values) in user.Extra)
                {
                    json.WriteStartArray(key);
                    foreach (var value in values)
                    {
                        json.WriteStringValue(value);
                    }

                    json.WriteEndArray();
                }

                json.WriteEndObject();
            }
        }

        json.WriteEndObject();
    }

    private static string Timestamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
}
