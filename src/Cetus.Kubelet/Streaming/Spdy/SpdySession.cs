using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cetus.Kubelet.Streaming.Spdy;

/// <summary>
/// A SPDY/3.1 session over any duplex byte stream (a raw upgraded connection, or a WebSocket tunnel wrapped as a
/// stream), in the server role (opens even stream ids, accepts odd ones) or the client role (the reverse).
/// <see cref="Start"/> runs the read loop: it answers PINGs, hands new streams to <see cref="AcceptStreamAsync"/>,
/// routes data, replies, FINs and resets to their streams, and ends at the transport's end, a protocol error
/// (answered with GOAWAY PROTOCOL_ERROR) or disposal. Frames from any number of writers go out whole, one at a time.
/// </summary>
/// <remarks>
/// Flow control: kubectl and the kubelet speak SPDY through moby/spdystream, which never sends WINDOW_UPDATE, never
/// waits for one (received ones fall to its "unhandled frame" branch) and ignores SETTINGS_INITIAL_WINDOW_SIZE; its
/// data frames are as large as each Write. A sender that honoured SPDY/3.1's 64 KiB initial window would therefore
/// stall after 64 KiB, so this session does the same as spdystream: it never limits what it sends and ignores
/// WINDOW_UPDATE and SETTINGS. As a receiver it sends WINDOW_UPDATE for what its reader consumed (every 32 KiB), so a
/// peer that does enforce windows keeps sending too; back-pressure is the per-stream buffer (see SpdyStream).
/// </remarks>
public sealed class SpdySession : IAsyncDisposable
{
    private readonly Stream _transport;
    private readonly bool _isServer;
    private readonly ILogger _logger;
    private readonly SpdyFrameReader _reader;
    private readonly SpdyFrameWriter _writer = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly CancellationTokenSource _lifetime = new();
    private readonly ConcurrentDictionary<uint, SpdyStream> _streams = new();
    private readonly Channel<SpdyStream> _incoming = Channel.CreateUnbounded<SpdyStream>(new() { SingleWriter = true });
    private readonly ConcurrentDictionary<uint, TaskCompletionSource> _pings = new();
    private readonly TaskCompletionSource _goAwayReceived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _idLock = new();
    private uint _nextStreamId;
    private uint _nextPingId;
    private uint _lastRemoteStreamId;
    private bool _goAwaySent;
    private Task _readLoop = Task.CompletedTask;
    private volatile bool _ended;

    /// <summary>A session over <paramref name="transport"/>; nothing is read until <see cref="Start"/>.</summary>
    public SpdySession(Stream transport, bool isServer, ILogger? logger = null)
    {
        _transport = transport;
        _isServer = isServer;
        _logger = logger ?? NullLogger.Instance;
        _reader = new SpdyFrameReader(transport);
        _nextStreamId = isServer ? 2u : 1u;
        _nextPingId = isServer ? 2u : 1u;
    }

    /// <summary>
    /// Whether consumed data is credited back with WINDOW_UPDATE (see the remarks); default true. The exec relay turns
    /// it off: spdystream ignores the frames, and one written after the runtime closed its end would be answered with a
    /// TCP reset, which discards the command's last output still unread in this side's receive buffer.
    /// </summary>
    public bool SendsWindowUpdates { get; init; } = true;

    /// <summary>Completes when the read loop has ended (transport closed, protocol error or disposal).</summary>
    public Task Completion => _readLoop;

    /// <summary>Completes when the peer sent GOAWAY.</summary>
    public Task GoAwayReceived => _goAwayReceived.Task;

    /// <summary>The read loop has ended; no frame can be sent or received any more.</summary>
    public bool Ended => _ended;

    /// <summary>Starts the read loop (once).</summary>
    public SpdySession Start()
    {
        if (_readLoop == Task.CompletedTask)
        {
            _readLoop = Task.Run(ReadLoopAsync);
        }
        return this;
    }

    /// <summary>The next stream the peer opened, or null once the session ended or the peer sent GOAWAY.</summary>
    public async ValueTask<SpdyStream?> AcceptStreamAsync(CancellationToken cancellationToken)
    {
        while (await _incoming.Reader.WaitToReadAsync(cancellationToken))
        {
            if (_incoming.Reader.TryRead(out var stream))
            {
                return stream;
            }
        }
        return null;
    }

    /// <summary>Opens a stream (SYN_STREAM); await <see cref="SpdyStream.WaitForReplyAsync"/> for the peer's answer.</summary>
    public async Task<SpdyStream> OpenStreamAsync(SpdyHeaders headers, bool fin, CancellationToken cancellationToken)
    {
        // The id is taken under the write lock: SPDY requires new stream ids to reach the wire in increasing order.
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            SpdyStream stream;
            lock (_idLock)
            {
                if (_goAwaySent || _goAwayReceived.Task.IsCompleted || _ended)
                {
                    throw new IOException("the SPDY session is going away");
                }
                stream = new SpdyStream(this, _nextStreamId, headers, localClosed: fin, remoteClosed: false);
                _streams[stream.Id] = stream;
                _nextStreamId += 2;
            }
            await WriteLockedAsync(new SpdySynStreamFrame(stream.Id, 0, 0, fin, false, headers));
            return stream;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Sends a PING and waits for the peer to echo it.</summary>
    public async Task PingAsync(CancellationToken cancellationToken)
    {
        uint id;
        lock (_idLock)
        {
            id = _nextPingId;
            _nextPingId = _nextPingId > 0x7ffffffd ? _nextPingId - 0x7ffffffc : _nextPingId + 2;
        }
        var answered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _pings[id] = answered;
        try
        {
            await SendAsync(new SpdyPingFrame(id), cancellationToken);
            await answered.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            _pings.TryRemove(id, out _);
        }
    }

    /// <summary>Tells the peer this side accepts no new streams (GOAWAY with the last stream id it accepted).</summary>
    public async Task GoAwayAsync(SpdyGoAwayStatus status, CancellationToken cancellationToken)
    {
        uint lastGood;
        lock (_idLock)
        {
            if (_goAwaySent)
            {
                return;
            }
            _goAwaySent = true;
            lastGood = _lastRemoteStreamId;
        }
        await SendAsync(new SpdyGoAwayFrame(lastGood, status), cancellationToken);
    }

    /// <summary>Writes one frame whole; a failed or cut-short write ends the session (the framing would be broken).</summary>
    internal async Task SendAsync(SpdyFrame frame, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await WriteLockedAsync(frame);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task WriteLockedAsync(SpdyFrame frame)
    {
        if (_ended)
        {
            throw new IOException("the SPDY session has ended");
        }
        var bytes = _writer.Encode(frame);
        if (frame is SpdyDataFrame { Data.IsEmpty: false } data)
        {
            // One write per frame: a separate small header write would meet Nagle's algorithm and delayed ACKs.
            var whole = new byte[bytes.Length + data.Data.Length];
            bytes.CopyTo(whole, 0);
            data.Data.CopyTo(whole.AsMemory(bytes.Length));
            bytes = whole;
        }
        try
        {
            await _transport.WriteAsync(bytes, _lifetime.Token);
            await _transport.FlushAsync(_lifetime.Token);
        }
        catch (Exception e)
        {
            // Whatever the transport throws (IOException, WebSocketException, ...), the framing is now broken.
            Abort();
            throw new IOException($"SPDY session write failed: {e.Message}", e);
        }
    }

    internal void Forget(SpdyStream stream) => _streams.TryRemove(new KeyValuePair<uint, SpdyStream>(stream.Id, stream));

    private async Task ReadLoopAsync()
    {
        try
        {
            while (await _reader.ReadAsync(_lifetime.Token) is { } frame)
            {
                await HandleAsync(frame);
            }
            _logger.LogDebug("SPDY session: the peer closed the connection");
        }
        catch (SpdyProtocolException e)
        {
            _logger.LogWarning("SPDY session: protocol error, closing: {Error}", e.Message);
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                await GoAwayAsync(SpdyGoAwayStatus.ProtocolError, timeout.Token).WaitAsync(timeout.Token);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException)
            {
                // The peer is gone as well.
            }
        }
        catch (Exception e)
        {
            // The transport failed or was closed (an IOException from a socket, a WebSocketException from a tunnel, ...).
            _logger.LogDebug("SPDY session: transport ended: {Error}", e.Message);
        }
        finally
        {
            Abort();
        }
    }

    private async ValueTask HandleAsync(SpdyFrame frame)
    {
        switch (frame)
        {
            case SpdyDataFrame data:
                if (_streams.TryGetValue(data.StreamId, out var target))
                {
                    await target.OnDataAsync(data.Data, data.Fin, _lifetime.Token);
                }
                break;
            case SpdySynStreamFrame syn:
                OnSynStream(syn);
                break;
            case SpdySynReplyFrame reply:
                if (_streams.TryGetValue(reply.StreamId, out var replied))
                {
                    replied.OnReply(reply.Headers, reply.Fin);
                }
                break;
            case SpdyHeadersFrame headers when headers.Fin:
                if (_streams.TryGetValue(headers.StreamId, out var finished))
                {
                    finished.OnRemoteFin();
                }
                break;
            case SpdyRstStreamFrame rst:
                if (_streams.TryGetValue(rst.StreamId, out var reset))
                {
                    reset.OnReset(rst.Status);
                }
                break;
            case SpdyPingFrame ping:
                if ((ping.Id & 1) == (_isServer ? 0u : 1u))
                {
                    if (_pings.TryGetValue(ping.Id, out var answered))
                    {
                        answered.TrySetResult();
                    }
                }
                else
                {
                    SendInBackground(ping);
                }
                break;
            case SpdyGoAwayFrame goAway:
                _logger.LogDebug("SPDY session: GOAWAY ({Status}, last stream {Last})", goAway.Status, goAway.LastGoodStreamId);
                _goAwayReceived.TrySetResult();
                _incoming.Writer.TryComplete();
                break;
            case SpdySettingsFrame settings:
                _logger.LogDebug("SPDY session: SETTINGS ignored ({Count} entries)", settings.Settings.Count);
                break;
            default:
                // WINDOW_UPDATE (no send window is enforced, see the remarks) and HEADERS without FIN.
                break;
        }
    }

    private void OnSynStream(SpdySynStreamFrame syn)
    {
        SpdyRstStatus? refusal = null;
        SpdyStream? stream = null;
        lock (_idLock)
        {
            var fromPeer = (syn.StreamId & 1) == (_isServer ? 1u : 0u);
            if (syn.StreamId == 0 || !fromPeer || syn.StreamId <= _lastRemoteStreamId)
            {
                refusal = _streams.ContainsKey(syn.StreamId) ? SpdyRstStatus.StreamInUse : SpdyRstStatus.ProtocolError;
            }
            else
            {
                _lastRemoteStreamId = syn.StreamId;
                if (_goAwaySent || _goAwayReceived.Task.IsCompleted)
                {
                    refusal = SpdyRstStatus.RefusedStream;
                }
                else
                {
                    stream = new SpdyStream(this, syn.StreamId, syn.Headers, localClosed: syn.Unidirectional, remoteClosed: syn.Fin);
                    _streams[syn.StreamId] = stream;
                }
            }
        }
        if (stream is not null)
        {
            _incoming.Writer.TryWrite(stream);
        }
        else if (syn.StreamId != 0)
        {
            _logger.LogDebug("SPDY session: refusing stream {Id} ({Status})", syn.StreamId, refusal);
            SendInBackground(new SpdyRstStreamFrame(syn.StreamId, refusal!.Value));
        }
    }

    /// <summary>
    /// Answers from the read loop go out without the loop waiting for the write lock: if it waited while a writer is
    /// blocked on a peer that is itself blocked writing to us, neither side would read again.
    /// </summary>
    private void SendInBackground(SpdyFrame frame) => _ = Task.Run(async () =>
    {
        try
        {
            await SendAsync(frame, _lifetime.Token);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // The session ended; nothing to answer.
        }
    });

    private void Abort()
    {
        lock (_idLock)
        {
            if (_ended)
            {
                return;
            }
            _ended = true;
        }
        _lifetime.Cancel();
        _incoming.Writer.TryComplete();
        _transport.Dispose();
        foreach (var stream in _streams.Values)
        {
            stream.OnSessionEnded();
        }
        foreach (var ping in _pings.Values)
        {
            ping.TrySetException(new IOException("the SPDY session ended before the PING was answered"));
        }
    }

    /// <summary>Sends GOAWAY if the session is still up, closes the transport and waits for the read loop to end.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_ended)
        {
            // Bounded: a peer that stopped reading must not keep the session (and its caller) from closing.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            try
            {
                await GoAwayAsync(SpdyGoAwayStatus.Ok, timeout.Token).WaitAsync(timeout.Token);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException)
            {
                // Closing anyway.
            }
        }
        Abort();
        await _readLoop;
        // Under the write lock: a writer that took it before the session ended must not meet a freed zlib stream.
        await _writeLock.WaitAsync();
        _writer.Dispose();
        _writeLock.Release();
        _reader.Dispose();
    }
}
