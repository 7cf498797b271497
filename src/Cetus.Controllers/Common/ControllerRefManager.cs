using Cetus.Api.Validation;
using k8s;
using k8s.Models;

namespace Cetus.Controllers.Common;

/// <summary>
/// Claims objects for a controller (pkg/controller's ControllerRefManager): keeps those it controls that still match
/// its selector, adopts orphans that match (adding a controller ownerReference) and releases those it controls that
/// no longer match (removing it). A controller being deleted adopts nothing and releases nothing.
/// </summary>
public static class ControllerRefManager
{
    /// <summary>
    /// Returns the objects <paramref name="owner"/> controls after adoption and release; <paramref name="patch"/> sends
    /// an adoption or release patch (strategic merge) and returns the patched object.
    /// </summary>
    public static async Task<List<T>> ClaimAsync<T>(
        IKubernetesObject<V1ObjectMeta> owner,
        string ownerApiVersion,
        string ownerKind,
        V1LabelSelector selector,
        IEnumerable<T> candidates,
        Func<T, string, CancellationToken, Task<T?>> patch,
        CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var claimed = new List<T>();
        var ownerUid = owner.Metadata.Uid;
        var ownerDeleting = owner.Metadata.DeletionTimestamp is not null;
        foreach (var item in candidates)
        {
            var controllerRef = OwnerReferences.ControllerOf(item.Metadata);
            var matches = LabelSelectors.Matches(selector, item.Metadata.Labels);
            if (controllerRef is not null)
            {
                if (controllerRef.Uid != ownerUid)
                {
                    continue;
                }

                if (matches || ownerDeleting)
                {
                    claimed.Add(item);
                    continue;
                }

                // Release: remove our ownerReference, only if the object still has our uid.
                var release = KubernetesJson.Serialize(new Dictionary<string, object>
                {
                    ["metadata"] = new Dictionary<string, object>
                    {
                        ["ownerReferences"] = new[] { new Dictionary<string, string> { ["$patch"] = "delete", ["uid"] = ownerUid } },
                        ["uid"] = item.Metadata.Uid,
                    },
                });
                try
                {
                    await patch(item, release, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (ApiErrors.IsNotFound(e))
                {
                }

                continue;
            }

            if (!matches || ownerDeleting || item.Metadata.DeletionTimestamp is not null)
            {
                continue;
            }

            var reference = OwnerReferences.ControllerRef(owner, ownerApiVersion, ownerKind);
            var adopt = KubernetesJson.Serialize(new Dictionary<string, object>
            {
                ["metadata"] = new Dictionary<string, object>
                {
                    ["ownerReferences"] = new[] { reference },
                    ["uid"] = item.Metadata.Uid,
                },
            });
            try
            {
                if (await patch(item, adopt, cancellationToken).ConfigureAwait(false) is { } adopted)
                {
                    claimed.Add(adopted);
                }
            }
            catch (Exception e) when (ApiErrors.IsNotFound(e))
            {
            }
        }

        return claimed;
    }
}
