namespace Cetus.Storage;

/// <summary>Settings shared by every backend.</summary>
public sealed record StoreOptions
{
    /// <summary>The default largest value: 1.5 MiB, Kubernetes' largest object.</summary>
    public const int DefaultMaxValueBytes = 1536 * 1024;

    /// <summary>Every key must start with this prefix.</summary>
    public string KeyPrefix { get; init; } = "/registry/";

    /// <summary>Values larger than this are refused with <see cref="StoreError.ValueTooLarge"/>.</summary>
    public int MaxValueBytes { get; init; } = DefaultMaxValueBytes;

    /// <summary>Automatic compaction; <c>null</c> turns it off.</summary>
    public CompactionOptions? Compaction { get; init; } = new();

    /// <summary>The clock used for time-to-live and automatic compaction.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}

/// <summary>How much history automatic compaction keeps (like k3s: about five minutes and at least 1,000 revisions).</summary>
public sealed record CompactionOptions
{
    /// <summary>How often to compact; each run discards what is older than the previous run's revision.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Always keep at least this many revisions of history.</summary>
    public long MinRetainedRevisions { get; init; } = 1000;
}
