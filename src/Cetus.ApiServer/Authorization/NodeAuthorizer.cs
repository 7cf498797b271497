using Cetus.Api.Resources.Pods;
using Cetus.Api.Scheme;
using Cetus.ApiServer.Registry;
using Cetus.ApiServer.Watch;
using k8s.Models;

namespace Cetus.ApiServer.Authorization;

/// <summary>
/// The Node authorizer (plugin/pkg/auth/authorizer/node), ahead of RBAC for users named <c>system:node:NAME</c> in
/// group <c>system:nodes</c>. A node may read only the Secrets and ConfigMaps that the pods bound to it use, get only
/// those pods (and list or watch pods only with <c>fieldSelector=spec.nodeName=NAME</c>), change only its own Node,
/// Lease and its pods' status, delete or evict only its own pods, and request tokens only for service accounts its
/// pods run as. Relationships are read from the watch cache at decision time. Anything else a node may do is the
/// static <c>system:node</c> rules; what they do not cover gets no opinion here and goes on to RBAC.
/// </summary>
internal sealed class NodeAuthorizer(WatchCache cache, ResourceRegistry registry)
{
    public const string NodesGroup = "system:nodes";
    private const string NodePrefix = "system:node:";

    // Upstream's NodeRules(): the system:node role's rules, applied by this authorizer to every node.
    private static readonly V1PolicyRule[] NodeRules = BootstrapPolicy.ClusterRoles().Single(r => r.Metadata.Name == "system:node").Rules.ToArray();

    private readonly ResourceDefinition _pods = registry.Find(string.Empty, "v1", "pods")!;

    /// <summary>Allowed or denied with a reason; null when the user is not a node or the request is not the node authorizer's to decide.</summary>
    public (bool Allowed, string Reason)? Decide(RequestAttributes request)
    {
        var user = request.User;
        if (!user.Groups.Contains(NodesGroup))
        {
            return null;
        }

        if (!user.Name.StartsWith(NodePrefix, StringComparison.Ordinal) || user.Name.Length == NodePrefix.Length)
        {
            return Deny($"unknown node for user \"{user.Name}\"");
        }

        var node = user.Name[NodePrefix.Length..];
        if (request.IsResourceRequest)
        {
            switch (request.ApiGroup, request.Resource)
            {
                case ("", "secrets"):
                case ("", "configmaps"):
                    return ReadReferenced(node, request);
                case ("", "pods") when Pod(node, request) is { } decided:
                    return decided;
                case ("", "nodes"):
                    return Node(node, request);
                case ("coordination.k8s.io", "leases"):
                    return Lease(node, request);
                case ("", "serviceaccounts") when request.Subresource == "token":
                    return request.Verb == "create" && PodsOn(node, request.Namespace).Any(p => ServiceAccountOf(p) == request.Name)
                        ? Allow()
                        : Deny($"no relationship found between node '{node}' and this object");
            }
        }

        // Not subdivided: the static node rules decide; without a match RBAC may still grant it.
        return NodeRules.Any(rule => PolicyRules.Allows(rule, request)) ? Allow() : null;
    }

    private (bool, string) ReadReferenced(string node, RequestAttributes request)
    {
        if (request.Verb is not ("get" or "list" or "watch"))
        {
            return Deny("can only read resources of this type");
        }

        if (request.Subresource.Length > 0)
        {
            return Deny("cannot read subresource");
        }

        if (request.Namespace.Length == 0)
        {
            return Deny("can only read namespaced object of this type");
        }

        if (request.Name.Length == 0)
        {
            return Deny("No Object name found");
        }

        var configMap = request.Resource == "configmaps";
        return PodsOn(node, request.Namespace).Any(p => (configMap ? PodReferences.ConfigMaps(p) : PodReferences.Secrets(p)).Contains(request.Name))
            ? Allow()
            : Deny($"no relationship found between node '{node}' and this object");
    }

    // As upstream with AuthorizeNodeWithSelectors: get through the relationship, list and watch only of its own pods;
    // other verbs (create, delete, status, eviction) by the static rules, and NodeRestriction checks the object.
    private (bool, string)? Pod(string node, RequestAttributes request)
    {
        switch (request.Verb)
        {
            case "get" when request.Subresource.Length > 0:
                return Deny("cannot get subresource");
            case "get":
                return BoundHere(node, request) ? Allow() : Deny($"no relationship found between node '{node}' and this object");
            case "list" or "watch":
                return request.FieldSelectorValue("spec.nodeName") == node
                    ? Allow()
                    : Deny("can only list/watch pods with spec.nodeName field selector");
            case "delete" when request.Subresource.Length == 0 && !BoundHere(node, request):
                return Deny($"node \"{node}\" can only delete pods with spec.nodeName set to itself");
            default:
                return null;
        }
    }

    private static (bool, string)? Node(string node, RequestAttributes request)
    {
        if (request.Verb is "get" or "list" or "watch" or "create")
        {
            // Reading nodes is allowed; what a node may create is checked by NodeRestriction.
            return request.Subresource.Length == 0 ? Allow() : null;
        }

        if (request.Verb is "update" or "patch" && request.Subresource is "" or "status")
        {
            return request.Name == node ? Allow() : Deny($"node '{node}' cannot modify node '{request.Name}'");
        }

        return null;
    }

    private static (bool, string) Lease(string node, RequestAttributes request)
    {
        if (request.Verb is not ("get" or "create" or "update" or "patch" or "delete"))
        {
            return Deny("can only get, create, update, patch, or delete a node lease");
        }

        if (request.Namespace != "kube-node-lease")
        {
            return Deny("can only access leases in the kube-node-lease namespace");
        }

        return request.Verb != "create" && request.Name != node
            ? Deny("can only access node lease with the same name as the requesting node")
            : Allow();
    }

    private bool BoundHere(string node, RequestAttributes request) =>
        request.Namespace.Length > 0 && request.Name.Length > 0
        && cache.Get(_pods, StorageKeys.Key(_pods, request.Namespace, request.Name))?.Item is V1Pod pod
        && pod.Spec?.NodeName == node;

    private IEnumerable<V1Pod> PodsOn(string node, string ns) =>
        cache.List(_pods, ns).Items.Select(o => o.Item).OfType<V1Pod>().Where(p => p.Spec?.NodeName == node);

    private static string ServiceAccountOf(V1Pod pod) => string.IsNullOrEmpty(pod.Spec?.ServiceAccountName) ? "default" : pod.Spec.ServiceAccountName;

    private static (bool, string) Allow() => (true, string.Empty);

    private static (bool, string) Deny(string reason) => (false, reason);
}
