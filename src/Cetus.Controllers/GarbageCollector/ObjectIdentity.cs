using k8s.Models;

namespace Cetus.Controllers.GarbageCollector;

/// <summary>
/// Who an object is in the dependency graph: an owner reference's coordinates plus the namespace (upstream's
/// objectReference). An owner is referred to by its dependents' namespace; a cluster-scoped owner's namespace is
/// ignored when it is looked up.
/// </summary>
public sealed record ObjectIdentity(string ApiVersion, string Kind, string? Namespace, string Name, string Uid)
{
    /// <summary>The identity an owner reference gives its owner, seen from a dependent in <paramref name="ns"/>.</summary>
    public static ObjectIdentity OfOwner(V1OwnerReference owner, string? ns) => new(owner.ApiVersion, owner.Kind, ns, owner.Name, owner.Uid);

    /// <inheritdoc/>
    public override string ToString() => $"[{ApiVersion}/{Kind}, namespace: {Namespace}, name: {Name}, uid: {Uid}]";
}

/// <summary>A read-only view of a node of the graph, taken under its lock.</summary>
/// <param name="Identity">The object.</param>
/// <param name="Virtual">True while the node exists only because a dependent names it and no informer has shown it.</param>
/// <param name="BeingDeleted">True once the object has a deletionTimestamp.</param>
/// <param name="DeletingDependents">True once it is being deleted in the foreground (foregroundDeletion finalizer).</param>
/// <param name="Owners">Its owner references.</param>
/// <param name="Dependents">The nodes that name it as an owner.</param>
public sealed record NodeSnapshot(
    ObjectIdentity Identity,
    bool Virtual,
    bool BeingDeleted,
    bool DeletingDependents,
    IReadOnlyList<V1OwnerReference> Owners,
    IReadOnlyList<DependentSnapshot> Dependents);

/// <summary>A dependent of a node: who it is, whether it blocks the owner's foreground deletion, and whether it is itself deleting its dependents.</summary>
public sealed record DependentSnapshot(ObjectIdentity Identity, bool BlocksOwnerDeletion, bool DeletingDependents);
