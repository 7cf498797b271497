using Cetus.Api.Scheme;
using Cetus.Api.Validation;
using Cetus.ApiServer.Errors;
using Cetus.ApiServer.Handlers;
using Cetus.ApiServer.Registry;
using Cetus.ApiServer.Watch;
using k8s;
using k8s.Models;

namespace Cetus.ApiServer.Services;

/// <summary>
/// Hands out services' cluster IPs and node ports (kube-apiserver's ipallocator and portallocator, called from the
/// service registry's create and update). What is in use is derived from the services themselves: the watch cache
/// holds every stored service (loaded from the datastore at start, so a restart knows every address given before),
/// and what this server has handed out but the cache has not yet seen come back is kept here, under one lock, until
/// it has. A deleted service, or one changed to ExternalName or ClusterIP, frees its addresses as soon as the cache
/// sees the change; a requested address that the cache shows taken is checked again once the cache has caught up with
/// the datastore, so a delete followed at once by a create asking for the same address succeeds.
/// </summary>
/// <remarks>
/// Upstream keeps a bitmap per range in the datastore and compares-and-swaps it; with one API server (SQLite) the
/// lock here gives the same guarantee. Several API servers on one etcd could, in the moment before each sees the
/// other's write, hand out the same random address; see docs/services.md.
/// </remarks>
internal sealed class ServiceAllocator(ApiServerOptions options, ResourceRegistry registry, WatchCache cache, ObjectStore objects)
{
    private readonly ResourceDefinition _services = registry.Find(string.Empty, "v1", "services")!;
    private readonly ServiceNetwork _network = options.ServiceNetwork;
    private readonly Lock _gate = new();

    // "ip/10.43.0.5" or "port/30080" → the revision of the write that stored it (long.MaxValue while being written).
    private readonly Dictionary<string, long> _pending = new(StringComparer.Ordinal);

    /// <summary>
    /// Fills the cluster IPs and node ports <paramref name="item"/> (a created service, or an updated one with
    /// <paramref name="old"/>) needs and checks the ones it asks for (422 when taken or out of range). The caller
    /// commits the result with the revision it stored, or disposes it to give the addresses back. A dry run checks and
    /// fills without keeping anything.
    /// </summary>
    public async Task<Allocation> AllocateAsync(ResourceRequest request, IKubernetesObject<V1ObjectMeta> item, IKubernetesObject<V1ObjectMeta>? old, bool dryRun)
    {
        if (item is not V1Service service || !string.IsNullOrEmpty(request.Info.Subresource))
        {
            return Allocation.None;
        }

        var key = StorageKeys.Key(_services, service.Metadata.NamespaceProperty ?? string.Empty, service.Metadata.Name);
        var plan = ServicePlan.Of(service, old as V1Service, _network);
        if (plan.IsEmpty)
        {
            return Allocation.None;
        }

        if (plan.RequestsTaken(Used(key)))
        {
            // The cache may not have seen a delete that freed it yet: ask again once it is up to date.
            var revision = await objects.CurrentRevisionAsync(request.Aborted).ConfigureAwait(false);
            await cache.WaitUntilFreshAsync(revision, request.Aborted).ConfigureAwait(false);
        }

        lock (_gate)
        {
            var used = Used(key);
            var errors = new List<FieldError>();
            var taken = new List<string>();
            var assigned = plan.Assign(used, Random.Shared, errors, out var exhausted);
            if (errors.Count > 0)
            {
                throw Problems.Invalid(string.Empty, "Service", service.Metadata.Name, errors);
            }

            if (exhausted is not null)
            {
                throw Problems.Internal(exhausted);
            }

            if (dryRun)
            {
                return Allocation.None;
            }

            foreach (var name in assigned)
            {
                _pending[name] = long.MaxValue;
                taken.Add(name);
            }

            return new Allocation(this, taken);
        }
    }

    // Addresses in use by services other than the one at key, and those being written.
    private UsedAddresses Used(string key)
    {
        var (items, revision) = cache.List(_services, string.Empty);
        var used = new UsedAddresses();
        foreach (var stored in items)
        {
            if (stored.Key != key && stored.Item is V1Service other)
            {
                used.Add(other.Spec);
            }
        }

        lock (_gate)
        {
            foreach (var (name, written) in _pending.ToList())
            {
                if (written <= revision)
                {
                    // The cache has the service now (or has seen it go again).
                    _pending.Remove(name);
                }
                else
                {
                    used.Names.Add(name);
                }
            }
        }

        return used;
    }

    private void Settle(IReadOnlyList<string> names, long? revision)
    {
        lock (_gate)
        {
            foreach (var name in names)
            {
                if (revision is { } written)
                {
                    _pending[name] = written;
                }
                else
                {
                    _pending.Remove(name);
                }
            }
        }
    }

    /// <summary>Addresses handed out for one write: <see cref="Commit"/> when stored, else dispose to give them back.</summary>
    internal sealed class Allocation : IDisposable
    {
        private readonly ServiceAllocator? _owner;
        private readonly IReadOnlyList<string> _names;
        private bool _settled;

        internal Allocation(ServiceAllocator? owner, IReadOnlyList<string> names)
        {
            _owner = owner;
            _names = names;
        }

        /// <summary>Nothing was handed out.</summary>
        public static Allocation None { get; } = new(null, []);

        /// <summary>The service was stored at <paramref name="revision"/>: the addresses stay reserved until the cache has it.</summary>
        public void Commit(long revision)
        {
            if (!_settled && _owner is not null)
            {
                _owner.Settle(_names, revision);
            }

            _settled = true;
        }

        /// <inheritdoc />
        public void Dispose()
        {
            if (!_settled && _owner is not null)
            {
                _owner.Settle(_names, null);
            }

            _settled = true;
        }
    }
}
