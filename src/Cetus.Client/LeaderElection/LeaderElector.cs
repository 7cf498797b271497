using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cetus.Client.LeaderElection;

/// <summary>Leader election timing, as kube-controller-manager's defaults.</summary>
/// <param name="LeaseDuration">How long a lease holds without renewal before others may take it (15 s).</param>
/// <param name="RenewDeadline">How long the leader keeps trying to renew before it gives up leading (10 s).</param>
/// <param name="RetryPeriod">How often candidates try to acquire and the leader renews (2 s).</param>
public sealed record LeaderElectionTiming(TimeSpan LeaseDuration, TimeSpan RenewDeadline, TimeSpan RetryPeriod)
{
    /// <summary>15 s lease, 10 s renew deadline, 2 s retry.</summary>
    public static LeaderElectionTiming Default { get; } = new(TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2));
}

/// <summary>
/// Leader election on a coordination.k8s.io/v1 Lease (client-go's leaderelection with a LeaseLock): candidates try to
/// take the lease every retry period once it has gone unrenewed for a lease duration; the leader renews it every retry
/// period and stops leading when it could not renew within the renew deadline. Updates are optimistic (resourceVersion),
/// so two candidates never both win.
/// </summary>
public sealed class LeaderElector
{
    private readonly IKubernetes _client;
    private readonly string _namespace;
    private readonly string _name;
    private readonly LeaderElectionTiming _timing;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Creates a candidate named <paramref name="identity"/> for the lease <paramref name="ns"/>/<paramref name="name"/>.</summary>
    public LeaderElector(IKubernetes client, string ns, string name, string identity, LeaderElectionTiming? timing = null, TimeProvider? time = null, ILogger? logger = null)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _namespace = ns;
        _name = name;
        Identity = identity;
        _timing = timing ?? LeaderElectionTiming.Default;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>This candidate's identity (the lease's holderIdentity while it leads).</summary>
    public string Identity { get; }

    /// <summary>True while this candidate holds the lease.</summary>
    public bool IsLeader { get; private set; }

    /// <summary>
    /// Campaigns until elected, runs <paramref name="lead"/> with a token cancelled when leadership is lost or
    /// <paramref name="cancellationToken"/> fires, and returns once leading has ended.
    /// </summary>
    public async Task RunAsync(Func<CancellationToken, Task> lead, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lead);
        while (!await TryAcquireOrRenewAsync(cancellationToken).ConfigureAwait(false))
        {
            await Task.Delay(_timing.RetryPeriod, _time, cancellationToken).ConfigureAwait(false);
        }

        IsLeader = true;
        _logger.LogInformation("leader election: {Identity} acquired lease {Namespace}/{Name}", Identity, _namespace, _name);
        using var leading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var work = Task.Run(() => lead(leading.Token), CancellationToken.None);
        try
        {
            var lastRenew = _time.GetUtcNow();
            while (!leading.IsCancellationRequested && !work.IsCompleted)
            {
                await Task.WhenAny(work, Task.Delay(_timing.RetryPeriod, _time, leading.Token)).ConfigureAwait(false);
                if (work.IsCompleted || leading.IsCancellationRequested)
                {
                    break;
                }

                if (await TryAcquireOrRenewAsync(leading.Token).ConfigureAwait(false))
                {
                    lastRenew = _time.GetUtcNow();
                }
                else if (_time.GetUtcNow() - lastRenew > _timing.RenewDeadline)
                {
                    _logger.LogWarning("leader election: {Identity} lost lease {Namespace}/{Name}", Identity, _namespace, _name);
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (leading.IsCancellationRequested)
        {
        }
        finally
        {
            IsLeader = false;
            await leading.CancelAsync().ConfigureAwait(false);
            try
            {
                await work.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    /// <summary>One attempt to take or renew the lease; true when this candidate holds it afterwards.</summary>
    public async Task<bool> TryAcquireOrRenewAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        try
        {
            V1Lease lease;
            try
            {
                lease = await _client.CoordinationV1.ReadNamespacedLeaseAsync(_name, _namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
                await _client.CoordinationV1.CreateNamespacedLeaseAsync(
                    new V1Lease
                    {
                        Metadata = new V1ObjectMeta { Name = _name, NamespaceProperty = _namespace },
                        Spec = new V1LeaseSpec
                        {
                            HolderIdentity = Identity,
                            LeaseDurationSeconds = (int)_timing.LeaseDuration.TotalSeconds,
                            AcquireTime = now,
                            RenewTime = now,
                            LeaseTransitions = 0,
                        },
                    },
                    _namespace,
                    cancellationToken: cancellationToken).ConfigureAwait(false);
                return true;
            }

            var spec = lease.Spec ??= new V1LeaseSpec();
            var mine = spec.HolderIdentity == Identity;
            var duration = TimeSpan.FromSeconds(spec.LeaseDurationSeconds ?? (int)_timing.LeaseDuration.TotalSeconds);
            if (!mine && !string.IsNullOrEmpty(spec.HolderIdentity) && spec.RenewTime is { } renewed && renewed.ToUniversalTime() + duration > now)
            {
                return false;
            }

            if (!mine)
            {
                spec.AcquireTime = now;
                spec.LeaseTransitions = (spec.LeaseTransitions ?? 0) + 1;
                spec.HolderIdentity = Identity;
            }

            spec.RenewTime = now;
            spec.LeaseDurationSeconds = (int)_timing.LeaseDuration.TotalSeconds;
            await _client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, _name, _namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.NotFound)
        {
            return false;
        }
        catch (HttpOperationException e)
        {
            // As client-go's leader elector: any failed attempt is logged and retried after the retry period; the
            // leader steps down only when it has not renewed within the renew deadline.
            _logger.LogWarning("leader election: {Identity} could not read or update lease {Namespace}/{Name}: {Status}", Identity, _namespace, _name, (int)e.Response.StatusCode);
            return false;
        }
        catch (HttpRequestException e)
        {
            _logger.LogWarning("leader election: {Error}", e.Message);
            return false;
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            // The client's own timeout, not a shutdown.
            _logger.LogWarning("leader election: {Error}", e.Message);
            return false;
        }
    }
}
