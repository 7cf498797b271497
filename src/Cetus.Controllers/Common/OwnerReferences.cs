using k8s;
using k8s.Models;

namespace Cetus.Controllers.Common;

/// <summary>Controller references (the one ownerReference with <c>controller: true</c>).</summary>
public static class OwnerReferences
{
    /// <summary>The controller reference of an object, or null.</summary>
    public static V1OwnerReference? ControllerOf(V1ObjectMeta? metadata) => metadata?.OwnerReferences?.FirstOrDefault(r => r.Controller == true);

    /// <summary>A controller reference to <paramref name="owner"/> (controller and blockOwnerDeletion true).</summary>
    public static V1OwnerReference ControllerRef(IKubernetesObject<V1ObjectMeta> owner, string apiVersion, string kind) => new()
    {
        ApiVersion = apiVersion,
        Kind = kind,
        Name = owner.Metadata.Name,
        Uid = owner.Metadata.Uid,
        Controller = true,
        BlockOwnerDeletion = true,
    };

    /// <summary>True when <paramref name="owned"/>'s controller is the object with uid <paramref name="ownerUid"/>.</summary>
    public static bool IsControlledBy(V1ObjectMeta? owned, string? ownerUid) => ControllerOf(owned)?.Uid is { } uid && uid == ownerUid;
}
