using System.Text;
using k8s.Models;

namespace Cetus.Kubelet.Pods;

/// <summary>The kubelet-managed /etc/hosts of a pod (Kubernetes' managedHostsFileContent): localhost lines, the pod's IP and hostname, then hostAliases.</summary>
public static class HostsFile
{
    /// <summary>The file's content for a pod with IP <paramref name="podIP"/> and hostname <paramref name="hostname"/>.</summary>
    public static string Content(string podIP, string hostname, IEnumerable<V1HostAlias>? aliases)
    {
        var text = new StringBuilder()
            .Append("# Kubernetes-managed hosts file.\n")
            .Append("127.0.0.1\tlocalhost\n")
            .Append("::1\tlocalhost ip6-localhost ip6-loopback\n")
            .Append("fe00::0\tip6-localnet\n")
            .Append("fe00::0\tip6-mcastprefix\n")
            .Append("fe00::1\tip6-allnodes\n")
            .Append("fe00::2\tip6-allrouters\n")
            .Append(podIP).Append('\t').Append(hostname).Append('\n');
        var list = aliases?.ToList() ?? [];
        if (list.Count > 0)
        {
            text.Append("\n# Entries added by HostAliases.\n");
            foreach (var alias in list)
            {
                text.Append(alias.Ip).Append('\t').Append(string.Join('\t', alias.Hostnames ?? [])).Append('\n');
            }
        }

        return text.ToString();
    }
}
