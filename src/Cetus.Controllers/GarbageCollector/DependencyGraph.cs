using Cetus.Client.Dynamic;
using Cetus.Api.Validation;
using k8s;
using k8s.Models;

namespace Cetus.Controllers.GarbageCollector;

/// <summary>
/// The garbage collector's graph of owner references across every monitored resource (upstream's GraphBuilder): a
/// node per object uid, edges from owners to dependents, and "virtual" nodes for owners no informer has shown yet.
/// Informer events change it (quickly, under one lock) and, as they do, queue the nodes the collector must look at:
/// dependents whose owner went away, owners whose foreground or orphan deletion just started.
/// </summary>
public sealed class DependencyGraph
{
    private const int AbsentOwnerCacheSize = 1000;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Node> _nodes = new(StringComparer.Ordinal);
    private readonly HashSet<ObjectIdentity> _absentOwners = [];
    private readonly Action<string> _attemptToDelete;
    private readonly Action<string> _attemptToOrphan;

    /// <summary>Creates a graph that queues node uids through the two callbacks.</summary>
    public DependencyGraph(Action<string> attemptToDelete, Action<string> attemptToOrphan)
    {
        _attemptToDelete = attemptToDelete ?? throw new ArgumentNullException(nameof(attemptToDelete));
        _attemptToOrphan = attemptToOrphan ?? throw new ArgumentNullException(nameof(attemptToOrphan));
    }

    /// <summary>The number of nodes.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _nodes.Count;
            }
        }
    }

    /// <summary>A view of the node with this uid, or null.</summary>
    public NodeSnapshot? Get(string uid)
    {
        lock (_lock)
        {
            return _nodes.TryGetValue(uid, out var node) ? node.Snapshot() : null;
        }
    }

    /// <summary>True when an owner with these coordinates was verified absent.</summary>
    public bool IsKnownAbsent(ObjectIdentity identity)
    {
        lock (_lock)
        {
            return _absentOwners.Contains(identity);
        }
    }

    /// <summary>Records an owner verified absent (a live GET found nothing, or another uid).</summary>
    public void MarkAbsent(ObjectIdentity identity)
    {
        lock (_lock)
        {
            AddAbsent(identity);
        }
    }

    /// <summary>An informer added or updated an object (<paramref name="old"/> is null for an add).</summary>
    public void OnUpsert(PartialObject? old, PartialObject item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (string.IsNullOrEmpty(item.Metadata?.Uid))
        {
            return;
        }

        var observed = IdentityOf(item);
        var owners = item.Metadata.OwnerReferences?.ToList() ?? [];
        lock (_lock)
        {
            if (!_nodes.TryGetValue(observed.Uid, out var node))
            {
                node = new Node(observed, owners)
                {
                    BeingDeleted = item.Metadata.DeletionTimestamp is not null,
                    DeletingDependents = item.Metadata.DeletionTimestamp is not null && HasFinalizer(item, FinalizerValidation.ForegroundDeletion),
                };
                _nodes[observed.Uid] = node;
                AddDependentToOwners(node, owners);
            }
            else
            {
                if (node.Virtual)
                {
                    // An informer shows the object at last: it is real, and its own coordinates win.
                    node.Virtual = false;
                    if (node.Identity != observed)
                    {
                        foreach (var dependent in node.Dependents.Where(d => !Matches(d, observed)))
                        {
                            _attemptToDelete(dependent.Identity.Uid);
                        }

                        node.Identity = observed;
                    }
                }

                UpdateOwners(node, owners);
                if (item.Metadata.DeletionTimestamp is not null)
                {
                    node.BeingDeleted = true;
                }
            }

            ProcessTransitions(old, item, node);
        }
    }

    /// <summary>An informer saw an object deleted.</summary>
    public void OnDelete(PartialObject item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (string.IsNullOrEmpty(item.Metadata?.Uid))
        {
            return;
        }

        lock (_lock)
        {
            if (_nodes.TryGetValue(item.Metadata.Uid, out var node))
            {
                RemoveNode(node, IdentityOf(item));
            }
        }
    }

    /// <summary>
    /// A live GET found no object with these coordinates (or one with another uid): the collector's own "delete
    /// event". A virtual node goes; a real node whose observed coordinates differ stays, but the dependents that
    /// referred to the absent coordinates are looked at again.
    /// </summary>
    public void OnVirtualDelete(ObjectIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        lock (_lock)
        {
            if (!_nodes.TryGetValue(identity.Uid, out var node))
            {
                return;
            }

            if (node.Virtual || node.Identity == identity)
            {
                RemoveNode(node, identity);
                return;
            }

            var matching = node.Dependents.Where(d => Matches(d, identity)).ToList();
            if (matching.Count > 0)
            {
                AddAbsent(identity);
                matching.ForEach(d => _attemptToDelete(d.Identity.Uid));
            }
        }
    }

    private static bool HasFinalizer(PartialObject item, string finalizer) => item.Metadata?.Finalizers?.Contains(finalizer) == true;

    private static bool DeletionStartsWithFinalizer(PartialObject? old, PartialObject item, string finalizer)
    {
        if (item.Metadata.DeletionTimestamp is null || !HasFinalizer(item, finalizer))
        {
            return false;
        }

        return old is null || old.Metadata?.DeletionTimestamp is null || !HasFinalizer(old, finalizer);
    }

    private static ObjectIdentity IdentityOf(PartialObject item) =>
        new(item.ApiVersion, item.Kind, string.IsNullOrEmpty(item.Metadata.NamespaceProperty) ? null : item.Metadata.NamespaceProperty, item.Metadata.Name, item.Metadata.Uid);

    // Does this dependent refer to its owner by these coordinates? (A namespaced owner must share the dependent's namespace.)
    private static bool Matches(Node dependent, ObjectIdentity owner) =>
        dependent.Owners.Any(r => r.Uid == owner.Uid && ObjectIdentity.OfOwner(r, owner.Namespace is null ? null : dependent.Identity.Namespace) == owner);

    private void ProcessTransitions(PartialObject? old, PartialObject item, Node node)
    {
        if (DeletionStartsWithFinalizer(old, item, FinalizerValidation.Orphan))
        {
            _attemptToOrphan(node.Identity.Uid);
            return;
        }

        if (DeletionStartsWithFinalizer(old, item, FinalizerValidation.ForegroundDeletion))
        {
            node.DeletingDependents = true;
            foreach (var dependent in node.Dependents)
            {
                _attemptToDelete(dependent.Identity.Uid);
            }

            _attemptToDelete(node.Identity.Uid);
        }
    }

    private void AddDependentToOwners(Node node, IEnumerable<V1OwnerReference> owners)
    {
        foreach (var owner in owners)
        {
            if (string.IsNullOrEmpty(owner.Uid))
            {
                continue;
            }

            var ownerIdentity = ObjectIdentity.OfOwner(owner, node.Identity.Namespace);
            if (!_nodes.TryGetValue(owner.Uid, out var ownerNode))
            {
                // Not seen (yet): a virtual node, which the collector verifies with a live GET.
                ownerNode = new Node(ownerIdentity, []) { Virtual = true };
                _nodes[owner.Uid] = ownerNode;
                _attemptToDelete(owner.Uid);
            }
            else if (!ownerNode.Virtual && !SameOwner(ownerNode.Identity, ownerIdentity))
            {
                // The real owner has other coordinates than this dependent claims (another namespace, kind or
                // name): the reference may be dangling, let the collector check it.
                _attemptToDelete(node.Identity.Uid);
            }

            ownerNode.Dependents.Add(node);
        }
    }

    // A cluster-scoped owner has no namespace, whatever its dependents' namespace.
    private static bool SameOwner(ObjectIdentity real, ObjectIdentity claimed) =>
        real with { Namespace = null } == claimed with { Namespace = null } && (real.Namespace is null || real.Namespace == claimed.Namespace);

    private void UpdateOwners(Node node, List<V1OwnerReference> owners)
    {
        var before = node.Owners.ToDictionary(r => r.Uid ?? string.Empty, StringComparer.Ordinal);
        var after = owners.ToDictionary(r => r.Uid ?? string.Empty, StringComparer.Ordinal);
        var added = owners.Where(r => !before.ContainsKey(r.Uid ?? string.Empty)).ToList();
        var removed = node.Owners.Where(r => !after.ContainsKey(r.Uid ?? string.Empty)).ToList();
        if (added.Count == 0 && removed.Count == 0 && owners.All(r => SameReference(before[r.Uid ?? string.Empty], r)))
        {
            return;
        }

        // An owner waiting for its blocking dependents may be free once one stops blocking it.
        var unblocked = removed.Where(r => r.BlockOwnerDeletion == true)
            .Concat(owners.Where(r => before.TryGetValue(r.Uid ?? string.Empty, out var was) && was.BlockOwnerDeletion == true && r.BlockOwnerDeletion != true));
        foreach (var reference in unblocked)
        {
            if (_nodes.TryGetValue(reference.Uid ?? string.Empty, out var owner) && owner.DeletingDependents)
            {
                _attemptToDelete(owner.Identity.Uid);
            }
        }

        node.Owners = owners;
        RemoveDependentFromOwners(node, removed);
        AddDependentToOwners(node, added);
    }

    private static bool SameReference(V1OwnerReference a, V1OwnerReference b) =>
        a.ApiVersion == b.ApiVersion && a.Kind == b.Kind && a.Name == b.Name && a.BlockOwnerDeletion == b.BlockOwnerDeletion && a.Controller == b.Controller;

    private void RemoveDependentFromOwners(Node node, IEnumerable<V1OwnerReference> owners)
    {
        foreach (var owner in owners)
        {
            if (_nodes.TryGetValue(owner.Uid ?? string.Empty, out var ownerNode))
            {
                ownerNode.Dependents.Remove(node);
            }
        }
    }

    private void RemoveNode(Node node, ObjectIdentity deleted)
    {
        _nodes.Remove(node.Identity.Uid);
        RemoveDependentFromOwners(node, node.Owners);
        if (node.Dependents.Count > 0)
        {
            AddAbsent(deleted);
        }

        foreach (var dependent in node.Dependents)
        {
            _attemptToDelete(dependent.Identity.Uid);
        }

        // An owner deleting its dependents in the foreground may be done now.
        foreach (var owner in node.Owners)
        {
            if (_nodes.TryGetValue(owner.Uid ?? string.Empty, out var ownerNode) && ownerNode.DeletingDependents)
            {
                _attemptToDelete(ownerNode.Identity.Uid);
            }
        }
    }

    private void AddAbsent(ObjectIdentity identity)
    {
        if (_absentOwners.Count >= AbsentOwnerCacheSize)
        {
            // Upstream keeps an LRU; forgetting everything only costs a few extra GETs.
            _absentOwners.Clear();
        }

        _absentOwners.Add(identity);
    }

    private sealed class Node(ObjectIdentity identity, List<V1OwnerReference> owners)
    {
        public ObjectIdentity Identity { get; set; } = identity;

        public List<V1OwnerReference> Owners { get; set; } = owners;

        public HashSet<Node> Dependents { get; } = [];

        public bool Virtual { get; set; }

        public bool BeingDeleted { get; set; }

        public bool DeletingDependents { get; set; }

        public NodeSnapshot Snapshot() => new(
            Identity,
            Virtual,
            BeingDeleted,
            DeletingDependents,
            [.. Owners],
            [.. Dependents.Select(d => new DependentSnapshot(d.Identity, d.Owners.Any(r => r.Uid == Identity.Uid && r.BlockOwnerDeletion == true), d.DeletingDependents))]);
    }
}
