namespace Cetus.Storage;

/// <summary>Why a store operation was refused.</summary>
public enum StoreError
{
    /// <summary>The key is empty, not under the store's prefix, or not valid text.</summary>
    InvalidKey,

    /// <summary>The value is larger than the store accepts.</summary>
    ValueTooLarge,

    /// <summary>Another argument is out of range (a negative limit, a non-positive revision, …).</summary>
    InvalidArgument,

    /// <summary>The requested revision is older than the compaction point: its history is gone (HTTP 410 Gone).</summary>
    Compacted,

    /// <summary>The requested revision has not been written yet.</summary>
    FutureRevision,

    /// <summary>The datastore cannot be reached or failed; the operation may be retried.</summary>
    Unavailable,
}

/// <summary>A store operation that was refused; nothing was written.</summary>
public sealed class StoreException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StoreException(StoreError error, string message, Exception? inner = null)
        : base(message, inner)
    {
        Error = error;
    }

    /// <summary>The reason.</summary>
    public StoreError Error { get; }

    /// <summary>With <see cref="StoreError.Compacted"/>: the compaction point, when known.</summary>
    public long CompactRevision { get; init; }

    /// <summary>The store's revision when it refused, when known.</summary>
    public long CurrentRevision { get; init; }

    internal static StoreException Compacted(long requested, long compactRevision, long current) =>
        new(StoreError.Compacted, $"revision {requested} has been compacted (history starts after {compactRevision}); list again to get a newer revision")
        {
            CompactRevision = compactRevision,
            CurrentRevision = current,
        };
}
