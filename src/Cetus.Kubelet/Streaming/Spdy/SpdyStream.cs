using System.Buffers;
using System.IO.Pipelines;

namespace Cetus.Kubelet.Streaming.Spdy;

/// <summary>
/// One SPDY stream as a byte <see cref="Stream"/>: reads return the peer's data frames (0 after its FIN), writes send
/// data frames of at most <see cref="MaxFramePayload"/> bytes; <see cref="CloseWriteAsync"/> half-closes (FIN),
/// <see cref="ResetAsync"/> aborts both ways (RST_STREAM); disposing half-closes if not done yet and stops reading.
/// Reads after a local reset throw <see cref="IOException"/>; after the peer's reset or the end of the session they
/// first return the data that had arrived (the upstream kubelet writes an exec's Status and then resets every stream),
/// then throw. One reader and one writer at a time.
/// </summary>
public sealed class SpdyStream : Stream
{
    /// <summary>Largest data frame payload written (keeps streams of one session interleaving fairly).</summary>
    public const int MaxFramePayload = 32 * 1024;

    // What the session's read loop may buffer for a stream its owner is not reading, before it stops reading the whole
    // transport: kubectl's spdystream does no flow control, so this is the only back-pressure there is (spdystream
    // itself blocks its frame workers on an unbuffered channel in the same situation).
    private const long PauseBuffering = 1024 * 1024;

    // A WINDOW_UPDATE after this many consumed bytes keeps a peer that does enforce SPDY/3's 64 KiB window sending.
    private const int CreditThreshold = 32 * 1024;

    private readonly SpdySession _session;
    private readonly Pipe _incoming = new(new PipeOptions(pauseWriterThreshold: PauseBuffering, resumeWriterThreshold: PauseBuffering / 2, useSynchronizationContext: false));
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly TaskCompletionSource<SpdyHeaders> _reply = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _resetLock = new();
    private int _uncredited;
    private volatile bool _localClosed;
    private volatile bool _remoteClosed;
    private volatile bool _readsStopped;
    private volatile bool _resetLocally;
    private volatile string? _endError;
    private SpdyRstStatus? _resetStatus;

    internal SpdyStream(SpdySession session, uint id, SpdyHeaders headers, bool localClosed, bool remoteClosed)
    {
        _session = session;
        Id = id;
        Headers = headers;
        _localClosed = localClosed;
        if (remoteClosed)
        {
            RemoteFinished();
        }
    }

    /// <summary>The stream id (odd: opened by the client; even: by the server).</summary>
    public uint Id { get; }

    /// <summary>The headers of the SYN_STREAM that opened the stream.</summary>
    public SpdyHeaders Headers { get; }

    /// <summary>The RST_STREAM status, once the stream was reset by either side.</summary>
    public SpdyRstStatus? ResetStatus => _resetStatus;

    /// <summary>Accepts a stream the peer opened (SYN_REPLY); <paramref name="fin"/> also half-closes this side.</summary>
    public async Task ReplyAsync(SpdyHeaders? headers, bool fin, CancellationToken cancellationToken)
    {
        await SendAsync(new SpdySynReplyFrame(Id, fin, headers ?? SpdyHeaders.Empty), fin, cancellationToken);
    }

    /// <summary>The peer's SYN_REPLY headers for a stream this side opened.</summary>
    /// <exception cref="IOException">The stream was reset or the session ended first.</exception>
    public Task<SpdyHeaders> WaitForReplyAsync(CancellationToken cancellationToken) => _reply.Task.WaitAsync(cancellationToken);

    /// <summary>Half-closes this side (an empty data frame with FIN); later writes fail. Idempotent.</summary>
    public async Task CloseWriteAsync(CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            if (_localClosed)
            {
                return;
            }
            _localClosed = true;
            await _session.SendAsync(new SpdyDataFrame(Id, true, ReadOnlyMemory<byte>.Empty), cancellationToken);
        }
        finally
        {
            _sendLock.Release();
            CheckFinished();
        }
    }

    /// <summary>Aborts the stream both ways with RST_STREAM (a no-op once reset).</summary>
    public async Task ResetAsync(SpdyRstStatus status, CancellationToken cancellationToken)
    {
        if (!MarkReset(status))
        {
            return;
        }
        _resetLocally = true;
        // Wakes a pending read; the pipe itself is completed by the read loop or on dispose.
        _incoming.Reader.CancelPendingRead();
        try
        {
            await _session.SendAsync(new SpdyRstStreamFrame(Id, status), cancellationToken);
        }
        finally
        {
            CheckFinished();
        }
    }

    /// <inheritdoc/>
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_resetLocally)
        {
            ThrowIfReset();
        }
        if (buffer.IsEmpty)
        {
            return 0;
        }
        var result = await _incoming.Reader.ReadAsync(cancellationToken);
        if (result.IsCanceled)
        {
            ThrowIfReset();
            throw new IOException($"SPDY stream {Id} is closed");
        }
        var data = result.Buffer;
        if (data.IsEmpty && result.IsCompleted)
        {
            _incoming.Reader.AdvanceTo(data.End);
            if (_endError is { } error)
            {
                throw new IOException(error);
            }
            return 0;
        }
        var count = (int)Math.Min(buffer.Length, data.Length);
        data.Slice(0, count).CopyTo(buffer.Span);
        _incoming.Reader.AdvanceTo(data.GetPosition(count));
        await CreditAsync(count);
        return count;
    }

    /// <inheritdoc/>
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            while (!buffer.IsEmpty)
            {
                ThrowIfReset();
                if (_localClosed)
                {
                    throw new IOException($"SPDY stream {Id} is closed for writing");
                }
                var chunk = buffer[..Math.Min(buffer.Length, MaxFramePayload)];
                await _session.SendAsync(new SpdyDataFrame(Id, false, chunk), cancellationToken);
                buffer = buffer[chunk.Length..];
            }
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <inheritdoc/>
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc/>
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc/>
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc/>
    public override async ValueTask DisposeAsync()
    {
        if (!_localClosed && _resetStatus is null && !_session.Ended)
        {
            try
            {
                await CloseWriteAsync(CancellationToken.None);
            }
            catch (IOException)
            {
                // The session is going away; nothing to half-close.
            }
        }
        StopReading();
        _session.Forget(this);
        await base.DisposeAsync();
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            StopReading();
            _session.Forget(this);
        }
        base.Dispose(disposing);
    }

    /// <inheritdoc/>
    public override bool CanRead => true;

    /// <inheritdoc/>
    public override bool CanWrite => true;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc/>
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <inheritdoc/>
    public override void Flush()
    {
    }

    /// <summary>Not supported: a SPDY stream is asynchronous only (use ReadAsync).</summary>
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("use ReadAsync");

    /// <summary>Not supported: a SPDY stream is asynchronous only (use WriteAsync).</summary>
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("use WriteAsync");

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();

    // ---- called by the session's read loop (the only writer of _incoming) ----

    internal async ValueTask OnDataAsync(ReadOnlyMemory<byte> data, bool fin, CancellationToken cancellationToken)
    {
        if (_remoteClosed || _resetStatus is not null)
        {
            return;
        }
        if (!data.IsEmpty && !_readsStopped)
        {
            await _incoming.Writer.WriteAsync(data, cancellationToken);
        }
        if (fin)
        {
            RemoteFinished();
        }
    }

    internal void OnReply(SpdyHeaders headers, bool fin)
    {
        _reply.TrySetResult(headers);
        if (fin)
        {
            RemoteFinished();
        }
    }

    internal void OnRemoteFin() => RemoteFinished();

    internal void OnReset(SpdyRstStatus status)
    {
        if (MarkReset(status))
        {
            EndReading($"SPDY stream {Id} was reset ({status})");
        }
        CheckFinished();
    }

    internal void OnSessionEnded()
    {
        _reply.TrySetException(new IOException($"SPDY session ended before stream {Id} was answered"));
        EndReading($"SPDY session ended while reading stream {Id}");
        _localClosed = true;
    }

    private async Task SendAsync(SpdyFrame frame, bool closesLocal, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            ThrowIfReset();
            _localClosed |= closesLocal;
            await _session.SendAsync(frame, cancellationToken);
        }
        finally
        {
            _sendLock.Release();
            CheckFinished();
        }
    }

    private async ValueTask CreditAsync(int consumed)
    {
        _uncredited += consumed;
        if (_uncredited < CreditThreshold || _remoteClosed || !_session.SendsWindowUpdates)
        {
            return;
        }
        var delta = _uncredited;
        _uncredited = 0;
        try
        {
            await _session.SendAsync(new SpdyWindowUpdateFrame(Id, (uint)delta), CancellationToken.None);
        }
        catch (IOException)
        {
            // The session ended; the next read reports it.
        }
    }

    private void RemoteFinished()
    {
        if (_remoteClosed)
        {
            return;
        }
        _remoteClosed = true;
        _incoming.Writer.Complete();
        CheckFinished();
    }

    // The data that arrived stays readable; the read after it throws with the error (not the 0 of a FIN).
    private void EndReading(string error)
    {
        if (_remoteClosed)
        {
            return;
        }
        _endError = error;
        _remoteClosed = true;
        _incoming.Writer.Complete();
    }

    private bool MarkReset(SpdyRstStatus status)
    {
        lock (_resetLock)
        {
            if (_resetStatus is not null)
            {
                return false;
            }
            _resetStatus = status;
        }
        _localClosed = true;
        _reply.TrySetException(new IOException($"SPDY stream {Id} was reset ({status})"));
        return true;
    }

    private void StopReading()
    {
        if (_readsStopped)
        {
            return;
        }
        _readsStopped = true;
        _incoming.Reader.CancelPendingRead();
        _incoming.Reader.Complete();
    }

    private void ThrowIfReset()
    {
        if (_resetStatus is { } status)
        {
            throw new IOException($"SPDY stream {Id} was reset ({status})");
        }
    }

    private void CheckFinished()
    {
        if (_resetStatus is not null || (_localClosed && _remoteClosed))
        {
            _session.Forget(this);
        }
    }
}
