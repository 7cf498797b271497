using Cetus.Api.Resources.CertificateSigningRequests;
using Cetus.ApiServer.Errors;
using Cetus.ApiServer.Handlers;
using Cetus.ApiServer.Security;
using k8s;
using k8s.Models;

namespace Cetus.ApiServer.Authorization;

/// <summary>
/// The NodeRestriction admission plugin (plugin/pkg/admission/noderestriction) for writes by a node identity: a
/// node creates and changes only its own Node, may not set or change labels that would give it another role
/// (<c>node-restriction.kubernetes.io/</c>, and kubernetes.io / k8s.io labels other than the kubelet's own), may not
/// change its taints once registered, creates only mirror pods bound to itself, creates only its own Lease, evicts
/// only pods bound to itself, and creates kubelet client or serving CertificateSigningRequests only for its own name
/// (CN=system:node:NAME).
/// </summary>
internal static class NodeRestriction
{
    private const string NodeUserPrefix = "system:node:";

    private static readonly HashSet<string> KubeletLabels =
    [
        "kubernetes.io/hostname", "kubernetes.io/arch", "kubernetes.io/os",
        "beta.kubernetes.io/instance-type", "node.kubernetes.io/instance-type",
        "failure-domain.beta.kubernetes.io/region", "failure-domain.beta.kubernetes.io/zone",
        "topology.kubernetes.io/region", "topology.kubernetes.io/zone",
        "beta.kubernetes.io/arch", "beta.kubernetes.io/os",
    ];

    /// <summary>Throws 403 when a node's write of <paramref name="item"/> (over <paramref name="old"/>) is not allowed.</summary>
    public static void Check(ResourceRequest request, UserInfo user, IKubernetesObject<V1ObjectMeta> item, IKubernetesObject<V1ObjectMeta>? old)
    {
        if (NodeOf(user) is not { } node)
        {
            return;
        }

        switch (item)
        {
            case V1Node written:
                CheckNode(node, written, old as V1Node);
                break;
            case V1Pod pod when old is null:
                if (pod.Metadata.Annotations?.ContainsKey("kubernetes.io/config.mirror") != true)
                {
                    throw Problems.Forbidden($"pods \"{pod.Metadata.Name}\" is forbidden: pod does not have \"kubernetes.io/config.mirror\" annotation, node \"{node}\" can only create mirror pods");
                }

                if (pod.Spec?.NodeName != node)
                {
                    throw Problems.Forbidden($"pods \"{pod.Metadata.Name}\" is forbidden: node \"{node}\" can only create pods with spec.nodeName set to itself");
                }

                break;
            case V1Pod pod when request.Info.Subresource == "status" && (old as V1Pod)?.Spec?.NodeName != node:
                throw Problems.Forbidden($"pods \"{pod.Metadata.Name}\" is forbidden: node \"{node}\" can only update pod status for pods with spec.nodeName set to itself");
            case V1CertificateSigningRequest csr when old is null:
                CheckCertificateRequest(node, csr);
                break;
            case V1Lease lease when lease.Metadata.Name != node || lease.Metadata.NamespaceProperty != "kube-node-lease":
                throw Problems.Forbidden($"leases.coordination.k8s.io \"{lease.Metadata.Name}\" is forbidden: can only access node lease with the same name as the requesting node");
        }
    }

    /// <summary>The node a user is (system:node:NAME in system:nodes), or null for anyone else.</summary>
    public static string? NodeOf(UserInfo user) =>
        user.Groups.Contains(NodeAuthorizer.NodesGroup) && user.Name.StartsWith(NodeUserPrefix, StringComparison.Ordinal) ? user.Name[NodeUserPrefix.Length..] : null;

    /// <summary>
    /// Upstream admitPodEviction: a node evicts only pods bound to itself (the pod named in the URL; the eviction
    /// handler has already refused a body naming another pod).
    /// </summary>
    public static void CheckEviction(string node, V1Pod pod)
    {
        if (pod.Spec?.NodeName != node)
        {
            throw Problems.Forbidden($"pods \"{pod.Metadata.Name}\" is forbidden: node {node} can only evict pods with spec.nodeName set to itself");
        }
    }

    // Upstream's admitCSR: the other checks of a node's CSR are the signer's.
    private static void CheckCertificateRequest(string node, V1CertificateSigningRequest csr)
    {
        if (csr.Spec?.SignerName is not ("kubernetes.io/kubelet-serving" or "kubernetes.io/kube-apiserver-client-kubelet"))
        {
            return;
        }

        var forbidden = $"certificatesigningrequests.certificates.k8s.io \"{csr.Metadata.Name}\" is forbidden: ";
        var (request, error) = CertificateSigningRequestValidation.ParseRequest(csr.Spec.Request);
        if (request is null)
        {
            throw Problems.Forbidden(forbidden + "unable to parse csr: " + error);
        }

        var commonName = request.SubjectName.EnumerateRelativeDistinguishedNames()
            .Where(rdn => !rdn.HasMultipleElements && rdn.GetSingleElementType().Value == "2.5.4.3")
            .Select(rdn => rdn.GetSingleElementValue())
            .LastOrDefault();
        if (commonName != "system:node:" + node)
        {
            throw Problems.Forbidden(forbidden + $"can only create a node CSR with CN=system:node:{node}");
        }
    }

    private static void CheckNode(string node, V1Node written, V1Node? old)
    {
        var name = written.Metadata.Name;
        if (name != node)
        {
            throw Problems.Forbidden($"nodes \"{name}\" is forbidden: node \"{node}\" is not allowed to modify node \"{name}\"");
        }

        var labels = written.Metadata.Labels ?? new Dictionary<string, string>();
        var oldLabels = old?.Metadata.Labels ?? new Dictionary<string, string>();
        var changed = labels.Where(l => !oldLabels.TryGetValue(l.Key, out var v) || v != l.Value).Select(l => l.Key)
            .Concat(old is null ? [] : oldLabels.Keys.Where(k => !labels.ContainsKey(k)))
            .Where(Forbidden)
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();
        if (changed.Count > 0)
        {
            var what = old is null ? "set" : "modify";
            throw Problems.Forbidden($"nodes \"{name}\" is forbidden: node \"{node}\" is not allowed to {what} the following labels: {string.Join(", ", changed)}");
        }

        if (old is not null && !SameTaints(written.Spec?.Taints, old.Spec?.Taints))
        {
            throw Problems.Forbidden($"nodes \"{name}\" is forbidden: node \"{node}\" is not allowed to modify taints");
        }
    }

    // kubeletapis.IsKubeletLabel, inverted: the kubernetes.io and k8s.io labels a kubelet may not set on itself.
    private static bool Forbidden(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return false;
        }

        var domain = key[..slash];
        if (domain == "node-restriction.kubernetes.io" || domain.EndsWith(".node-restriction.kubernetes.io", StringComparison.Ordinal))
        {
            return true;
        }

        var kubernetesDomain = domain is "kubernetes.io" or "k8s.io" || domain.EndsWith(".kubernetes.io", StringComparison.Ordinal) || domain.EndsWith(".k8s.io", StringComparison.Ordinal);
        if (!kubernetesDomain || KubeletLabels.Contains(key))
        {
            return false;
        }

        return !(domain is "kubelet.kubernetes.io" or "node.kubernetes.io" || domain.EndsWith(".kubelet.kubernetes.io", StringComparison.Ordinal) || domain.EndsWith(".node.kubernetes.io", StringComparison.Ordinal));
    }

    private static bool SameTaints(IList<V1Taint>? a, IList<V1Taint>? b) =>
        (a ?? []).Select(t => (t.Key, t.Value, t.Effect)).SequenceEqual((b ?? []).Select(t => (t.Key, t.Value, t.Effect)));
}
