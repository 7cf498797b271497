using Cetus.Testing;
using k8s;
using k8s.Models;
using Xunit;

namespace Cetus.Node.Tests;

/// <summary>
/// What in-cluster clients rely on, on the real node: a pod finds its service-account token, the cluster CA and its
/// namespace at /var/run/secrets/kubernetes.io/serviceaccount (the kube-api-access volume the ServiceAccount admission
/// plugin adds, kube-root-ca.crt from the root CA publisher, the token from the kubelet's TokenRequest), and the token
/// is one the API server accepts for that pod.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class ServiceAccountScenarios(NodeFixture fixture) : NodeScenario(fixture)
{
    [Fact]
    public async Task Pod_ReadsItsTokenCaAndNamespace_AndTheTokenPassesATokenReview()
    {
        await ApplyAsync($$$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: reader, namespace: {{{_ns}}} }
            spec:
              restartPolicy: Never
              containers:
              - name: app
                image: {{{Containerd.BusyboxImage}}}
                command: [sh, -c, 'cd /var/run/secrets/kubernetes.io/serviceaccount && cat namespace && echo "|" && cat ca.crt && echo "|" && cat token']
            """);
        var pod = await WaitForPodAsync("reader", p => p.Status?.Phase is "Succeeded" or "Failed", TimeSpan.FromSeconds(90));
        Assert.True(pod.Status.Phase == "Succeeded", KubernetesJson.Serialize(pod.Status));
        var logs = await Kubectl.RunAsync(Node.Cluster.Kubeconfig, "logs", "reader", "-n", _ns);
        Assert.True(logs.ExitCode == 0, logs.ToString());

        var parts = logs.Stdout.Split('|');
        Assert.Equal(3, parts.Length);
        Assert.Equal(_ns, parts[0].Trim());
        var ca = await File.ReadAllTextAsync(Path.Combine(Node.Cluster.DataDir, "tls", "ca.crt"));
        Assert.Equal(ca.Trim(), parts[1].Trim());
        var review = await Node.Client.AuthenticationV1.CreateTokenReviewAsync(new V1TokenReview { Spec = new V1TokenReviewSpec { Token = parts[2].Trim() } });
        Assert.True(review.Status.Authenticated == true, KubernetesJson.Serialize(review.Status));
        Assert.Equal($"system:serviceaccount:{_ns}:default", review.Status.User.Username);
        Assert.Equal(["reader"], review.Status.User.Extra["authentication.kubernetes.io/pod-name"]);
        Assert.Equal([pod.Metadata.Uid], review.Status.User.Extra["authentication.kubernetes.io/pod-uid"]);
    }
}
