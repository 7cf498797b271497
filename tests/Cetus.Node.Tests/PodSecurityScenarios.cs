using Cetus.Testing;
using Xunit;

namespace Cetus.Node.Tests;

/// <summary>
/// Pod security on the real containerd through <c>cetus up</c>: secret volumes on tmpfs, fsGroup, sysctls (and the
/// node's sysctl admission), seccomp RuntimeDefault. Each pod serves what it saw with busybox httpd.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class PodSecurityScenarios(NodeFixture fixture) : NodeScenario(fixture)
{
    [Fact]
    public async Task SecretVolume_IsATmpfsInTheContainer_AndFsGroupShowsInIdAndOnTheFiles()
    {
        await ApplyAsync($$$"""
            apiVersion: v1
            kind: Secret
            metadata: {name: creds, namespace: {{{_ns}}} }
            stringData: {password: s3cret}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: fsgroup, namespace: {{{_ns}}} }
            spec:
              securityContext: {fsGroup: 2345}
              volumes:
              - {name: creds, secret: {secretName: creds}}
              - {name: scratch, emptyDir: {}}
              containers:
              - name: app
                image: {{{Containerd.BusyboxImage}}}
                command: [sh, -c, 'mkdir /www; grep " /creds " /proc/mounts > /www/mounts; id > /www/id; stat -L -c %g /creds/password > /www/gid; touch /scratch/new; stat -c %g /scratch/new > /www/newgid; exec httpd -f -p 8080 -h /www']
                volumeMounts: [{name: creds, mountPath: /creds}, {name: scratch, mountPath: /scratch}]
            """);
        var pod = await WaitForPodAsync("fsgroup", p => p.Status?.Phase == "Running" && !string.IsNullOrEmpty(p.Status.PodIP), TimeSpan.FromSeconds(60));
        Assert.StartsWith("tmpfs /creds tmpfs ro", (await GetTextAsync(pod.Status.PodIP, "/mounts", TimeSpan.FromSeconds(30))).Trim(), StringComparison.Ordinal);
        Assert.Contains("2345", (await GetTextAsync(pod.Status.PodIP, "/id", TimeSpan.FromSeconds(30))).Split("groups=").Last(), StringComparison.Ordinal);
        Assert.Equal("2345", (await GetTextAsync(pod.Status.PodIP, "/gid", TimeSpan.FromSeconds(30))).Trim());
        Assert.Equal("2345", (await GetTextAsync(pod.Status.PodIP, "/newgid", TimeSpan.FromSeconds(30))).Trim());
    }

    [Fact]
    public async Task SafeSysctls_AreSetInThePod_AnUnsafeOneIsSysctlForbidden()
    {
        await ApplyAsync($$$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: sysctls, namespace: {{{_ns}}} }
            spec:
              securityContext:
                sysctls:
                - {name: kernel.shm_rmid_forced, value: "1"}
                - {name: net.ipv4.ip_unprivileged_port_start, value: "1000"}
              containers:
              - name: app
                image: {{{Containerd.BusyboxImage}}}
                command: [sh, -c, 'mkdir /www; cat /proc/sys/kernel/shm_rmid_forced /proc/sys/net/ipv4/ip_unprivileged_port_start > /www/v; exec httpd -f -p 8080 -h /www']
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: unsafe, namespace: {{{_ns}}} }
            spec:
              securityContext:
                sysctls: [{name: kernel.msgmax, value: "65536"}]
              containers:
              - name: app
                image: {{{Containerd.BusyboxImage}}}
                command: [sleep, "3600"]
            """);
        var pod = await WaitForPodAsync("sysctls", p => p.Status?.Phase == "Running" && !string.IsNullOrEmpty(p.Status.PodIP), TimeSpan.FromSeconds(60));
        Assert.Equal(["1", "1000"], (await GetTextAsync(pod.Status.PodIP, "/v", TimeSpan.FromSeconds(30))).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var rejected = await WaitForPodAsync("unsafe", p => p.Status?.Phase == "Failed", TimeSpan.FromSeconds(60));
        Assert.Equal("SysctlForbidden", rejected.Status.Reason);
        Assert.Equal("Pod was rejected: forbidden sysctl: \"kernel.msgmax\" not allowlisted", rejected.Status.Message);
    }

    [Fact]
    public async Task SeccompRuntimeDefault_PodRuns_WithASeccompFilter()
    {
        await ApplyAsync($$$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: seccomp, namespace: {{{_ns}}} }
            spec:
              securityContext:
                seccompProfile: {type: RuntimeDefault}
              containers:
              - name: app
                image: {{{Containerd.BusyboxImage}}}
                command: [sh, -c, 'mkdir /www; grep "^Seccomp:" /proc/self/status > /www/seccomp; exec httpd -f -p 8080 -h /www']
            """);
        var pod = await WaitForPodAsync("seccomp", p => p.Status?.Phase == "Running" && !string.IsNullOrEmpty(p.Status.PodIP), TimeSpan.FromSeconds(60));
        // 2: a seccomp filter is in force (0 would be unconfined).
        Assert.Equal("Seccomp:\t2", (await GetTextAsync(pod.Status.PodIP, "/seccomp", TimeSpan.FromSeconds(30))).Trim());
    }
}
