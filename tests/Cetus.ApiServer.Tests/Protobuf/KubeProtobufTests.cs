using System.Text.Json.Nodes;
using Cetus.ApiServer.Protobuf;
using Cetus.ApiServer.Protobuf.Kube.AppsV1;
using Cetus.ApiServer.Protobuf.Kube.AuthenticationV1;
using Cetus.ApiServer.Protobuf.Kube.AutoscalingV1;
using Cetus.ApiServer.Protobuf.Kube.CoordinationV1;
using Cetus.ApiServer.Protobuf.Kube.CoreV1;
using Cetus.ApiServer.Protobuf.Kube.Intstr;
using Cetus.ApiServer.Protobuf.Kube.MetaV1;
using Cetus.ApiServer.Protobuf.Kube.Resource;
using Google.Protobuf;
using Xunit;
using AuthzExtraValue = Cetus.ApiServer.Protobuf.Kube.AuthorizationV1.ExtraValue;
using SubjectAccessReview = Cetus.ApiServer.Protobuf.Kube.AuthorizationV1.SubjectAccessReview;
using SubjectAccessReviewSpec = Cetus.ApiServer.Protobuf.Kube.AuthorizationV1.SubjectAccessReviewSpec;

namespace Cetus.ApiServer.Tests.Protobuf;

/// <summary>Bodies built with the generated message classes, one JSON rule of Kubernetes per test.</summary>
public sealed class KubeProtobufTests
{
    private const long November26 = 1795734000; // 2026-11-26T23:00:00Z

    [Fact]
    public void HandEncodedEnvelope_IsRead()
    {
        byte[] body =
        [
            .. "k8s\0"u8,
            0x0a, 0x0f, 0x0a, 0x02, .. "v1"u8, 0x12, 0x09, .. "ConfigMap"u8, // typeMeta {apiVersion, kind}
            0x12, 0x05, 0x0a, 0x03, 0x0a, 0x01, (byte)'x', // raw: ConfigMap {metadata {name: "x"}}
        ];

        var json = KubeProtobuf.ToJson(body);

        Assert.Equal("""{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"x","creationTimestamp":null}}""", json.ToJsonString());
    }

    [Fact]
    public void PointerPresentWithZero_IsKept_AndAbsentPointer_IsLeftOut()
    {
        var zero = Decode("apps/v1", new Deployment { Spec = new DeploymentSpec { Replicas = 0, Paused = false } });
        var unset = Decode("apps/v1", new Deployment { Spec = new DeploymentSpec() });

        Assert.Equal(0, (int)zero["spec"]!["replicas"]!);
        Assert.False(zero["spec"]!.AsObject().ContainsKey("paused"), "paused is a Go bool under omitempty");
        Assert.False(unset["spec"]!.AsObject().ContainsKey("replicas"));
    }

    [Fact]
    public void NilPointerWithoutOmitempty_IsNull()
    {
        var json = Decode("apps/v1", new Deployment { Spec = new DeploymentSpec() });

        Assert.True(json["spec"]!.AsObject().ContainsKey("selector"), "`json:\"selector\"` has no omitempty");
        Assert.Null(json["spec"]!["selector"]);
        Assert.NotNull(json["spec"]!["template"]); // a struct value is always written
    }

    [Fact]
    public void ScalarWithoutOmitempty_IsWrittenEvenWhenZero()
    {
        var json = Decode("autoscaling/v1", new Scale { Spec = new ScaleSpec { Replicas = 0 }, Status = new ScaleStatus { Replicas = 0 } });

        Assert.False(json["spec"]!.AsObject().ContainsKey("replicas"), "ScaleSpec.Replicas is an int32 under omitempty");
        Assert.Equal(0, (int)json["status"]!["replicas"]!);
    }

    [Fact]
    public void Times_AreRfc3339_MicroTimesWithSixDigits()
    {
        var lease = new Lease
        {
            Metadata = new ObjectMeta { Name = "node-1", CreationTimestamp = new Time { Seconds = November26, Nanos = 999_999_999 } },
            Spec = new LeaseSpec
            {
                HolderIdentity = "node-1",
                LeaseDurationSeconds = 40,
                AcquireTime = new MicroTime { Seconds = November26, Nanos = 123_456_789 },
                RenewTime = new MicroTime { Seconds = November26 },
            },
        };

        var json = Decode("coordination.k8s.io/v1", lease);

        Assert.Equal("2026-11-26T23:00:00Z", (string?)json["metadata"]!["creationTimestamp"]);
        Assert.Equal("2026-11-26T23:00:00.123456Z", (string?)json["spec"]!["acquireTime"]);
        Assert.Equal("2026-11-26T23:00:00.000000Z", (string?)json["spec"]!["renewTime"]);
        Assert.Equal("node-1", (string?)json["spec"]!["holderIdentity"]);
        Assert.Equal(40, (int)json["spec"]!["leaseDurationSeconds"]!);
    }

    [Fact]
    public void QuantitiesAreStrings_IntOrStringIsEither_MapsAreSorted()
    {
        var container = new Container { Name = "app", Image = "nginx:1.27", Resources = new ResourceRequirements() };
        container.Resources.Limits.Add("memory", new Quantity { String = "128Mi" });
        container.Resources.Limits.Add("cpu", new Quantity { String = "500m" });
        var deployment = new Deployment
        {
            Metadata = new ObjectMeta { Labels = { { "tier", "web" }, { "app", "shop" } } },
            Spec = new DeploymentSpec
            {
                Strategy = new DeploymentStrategy
                {
                    Type = "RollingUpdate",
                    RollingUpdate = new RollingUpdateDeployment
                    {
                        MaxSurge = new IntOrString { Type = 1, StrVal = "25%" },
                        MaxUnavailable = new IntOrString { Type = 0, IntVal = 0 },
                    },
                },
                Template = new PodTemplateSpec { Spec = new PodSpec { Containers = { container } } },
            },
        };

        var json = Decode("apps/v1", deployment);

        Assert.Equal(["app", "tier"], json["metadata"]!["labels"]!.AsObject().Select(p => p.Key));
        var limits = json["spec"]!["template"]!["spec"]!["containers"]![0]!["resources"]!["limits"]!;
        Assert.Equal("""{"cpu":"500m","memory":"128Mi"}""", limits.ToJsonString());
        var rollingUpdate = json["spec"]!["strategy"]!["rollingUpdate"]!;
        Assert.Equal("25%", (string?)rollingUpdate["maxSurge"]);
        Assert.Equal(0, (int)rollingUpdate["maxUnavailable"]!);
    }

    [Fact]
    public void SecretBytes_AreBase64_StringDataIsText()
    {
        var secret = new Secret
        {
            Metadata = new ObjectMeta { Name = "s" },
            Type = "Opaque",
            Data = { { "key", ByteString.CopyFrom(0, 1, 254, 255) }, { "empty", ByteString.Empty } },
            StringData = { { "plain", "text" } },
            Immutable = true,
        };

        var json = Decode("v1", secret);

        Assert.Equal("AAH+/w==", (string?)json["data"]!["key"]);
        Assert.Equal(string.Empty, (string?)json["data"]!["empty"]);
        Assert.Equal("text", (string?)json["stringData"]!["plain"]);
        Assert.Equal("Opaque", (string?)json["type"]);
        Assert.True((bool)json["immutable"]!);
    }

    [Fact]
    public void EmbeddedStructs_AreInlined()
    {
        var pod = new Pod
        {
            Spec = new PodSpec
            {
                Volumes =
                {
                    new Volume
                    {
                        Name = "config",
                        VolumeSource = new VolumeSource
                        {
                            ConfigMap = new ConfigMapVolumeSource { LocalObjectReference = new LocalObjectReference { Name = "app-config" }, DefaultMode = 420 },
                        },
                    },
                },
                Containers =
                {
                    new Container
                    {
                        Name = "app",
                        ReadinessProbe = new Probe
                        {
                            Handler = new ProbeHandler { HttpGet = new HTTPGetAction { Path = "/healthz", Port = new IntOrString { Type = 1, StrVal = "http" } } },
                            PeriodSeconds = 5,
                        },
                    },
                },
            },
        };

        var json = Decode("v1", pod);

        var volume = json["spec"]!["volumes"]![0]!;
        Assert.Equal("""{"name":"config","configMap":{"name":"app-config","defaultMode":420}}""", volume.ToJsonString());
        var probe = json["spec"]!["containers"]![0]!["readinessProbe"]!;
        Assert.Equal("""{"httpGet":{"path":"/healthz","port":"http"},"periodSeconds":5}""", probe.ToJsonString());
    }

    [Fact]
    public void ManagedFields_EmbedTheirJson()
    {
        var configMap = new ConfigMap
        {
            Metadata = new ObjectMeta
            {
                Name = "x",
                ManagedFields =
                {
                    new ManagedFieldsEntry
                    {
                        Manager = "kubectl-create",
                        Operation = "Update",
                        ApiVersion = "v1",
                        Time = new Time { Seconds = November26 },
                        FieldsType = "FieldsV1",
                        FieldsV1 = new FieldsV1 { Raw = ByteString.CopyFromUtf8("""{"f:data":{".":{},"f:k":{}}}""") },
                    },
                },
            },
        };

        var entry = Decode("v1", configMap)["metadata"]!["managedFields"]![0]!;

        Assert.Equal("2026-11-26T23:00:00Z", (string?)entry["time"]);
        Assert.Equal("""{"f:data":{".":{},"f:k":{}}}""", entry["fieldsV1"]!.ToJsonString());
        Assert.Equal("kubectl-create", (string?)entry["manager"]);
    }

    [Fact]
    public void RawExtension_EmbedsJsonOrANestedProtobufObject()
    {
        var json = Decode("apps/v1", new ControllerRevision { Data = new Cetus.ApiServer.Protobuf.Kube.Runtime.RawExtension { Raw = ByteString.CopyFromUtf8("""{"spec":{"x":1}}""") } });
        var nested = Decode("apps/v1", new ControllerRevision
        {
            Data = new Cetus.ApiServer.Protobuf.Kube.Runtime.RawExtension
            {
                Raw = ByteString.CopyFrom(ProtobufBody.Of("v1", "ConfigMap", new ConfigMap { Data = { { "k", "v" } } })),
            },
        });

        Assert.Equal("""{"spec":{"x":1}}""", json["data"]!.ToJsonString());
        Assert.Equal(0, (long)json["revision"]!); // `json:"revision"`: no omitempty
        Assert.Equal("v", (string?)nested["data"]!["data"]!["k"]);
    }

    [Fact]
    public void NamedSlices_AreArrays_AndJsonNamesFollowGo()
    {
        var review = new SubjectAccessReview
        {
            Spec = new SubjectAccessReviewSpec { User = "alice", Groups = { "devs" }, Uid = "u-1", Extra = { { "scopes", new AuthzExtraValue { Items = { "a", "b" } } } } },
        };
        var token = new TokenRequest { Spec = new TokenRequestSpec { BoundObjectRef = new BoundObjectReference { Kind = "Pod", Name = "p", UID = "pod-uid" } } };

        var spec = Decode("authorization.k8s.io/v1", review)["spec"]!;
        var bound = Decode("authentication.k8s.io/v1", token)["spec"]!["boundObjectRef"]!;

        Assert.Equal("""{"scopes":["a","b"]}""", spec["extra"]!.ToJsonString());
        Assert.Equal("u-1", (string?)spec["uid"]);
        Assert.Equal("pod-uid", (string?)bound["uid"]); // the proto field is "uID"
    }

    [Fact]
    public void DeleteOptions_AreAcceptedInEveryServedGroupVersion()
    {
        var options = new DeleteOptions { GracePeriodSeconds = 0, PropagationPolicy = "Foreground", DryRun = { "All" }, Preconditions = new Preconditions { Uid = "u1" } };

        foreach (var apiVersion in new[] { "meta.k8s.io/v1", "v1", "apps/v1" })
        {
            var json = KubeProtobuf.ToJson(ProtobufBody.Of(apiVersion, "DeleteOptions", options));

            Assert.Equal(
                $$"""{"kind":"DeleteOptions","apiVersion":"{{apiVersion}}","gracePeriodSeconds":0,"preconditions":{"uid":"u1"},"propagationPolicy":"Foreground","dryRun":["All"]}""",
                json.ToJsonString());
        }
    }

    [Fact]
    public void EventsBindingsEndpointsAndReviews_Decode()
    {
        var eventJson = Decode("v1", new Event
        {
            Metadata = new ObjectMeta { Name = "p.1", Namespace = "default" },
            InvolvedObject = new ObjectReference { Kind = "Pod", Name = "p", Namespace = "default" },
            Reason = "Scheduled",
            Type = "Normal",
            EventTime = new MicroTime { Seconds = November26, Nanos = 5000 },
            ReportingComponent = "default-scheduler",
        });
        var binding = Decode("v1", new Binding { Metadata = new ObjectMeta { Name = "p" }, Target = new ObjectReference { Kind = "Node", Name = "n1" } });
        var endpoints = Decode("v1", new Endpoints
        {
            Subsets = { new EndpointSubset { Addresses = { new EndpointAddress { Ip = "10.0.0.5" } }, Ports = { new EndpointPort { Port = 80, Protocol = "TCP" } } } },
        });
        var tokenReview = Decode("authentication.k8s.io/v1", new TokenReview { Spec = new TokenReviewSpec { Token = "abc" } });

        Assert.Equal("2026-11-26T23:00:00.000005Z", (string?)eventJson["eventTime"]);
        Assert.Equal("Pod", (string?)eventJson["involvedObject"]!["kind"]);
        Assert.Null(eventJson["firstTimestamp"]); // a zero metav1.Time value is null
        Assert.Equal("n1", (string?)binding["target"]!["name"]);
        Assert.Equal("""[{"addresses":[{"ip":"10.0.0.5"}],"ports":[{"port":80,"protocol":"TCP"}]}]""", endpoints["subsets"]!.ToJsonString());
        Assert.Equal("abc", (string?)tokenReview["spec"]!["token"]);
    }

    [Fact]
    public void MissingKindAndApiVersion_ComeFromTheDefaults()
    {
        var body = ProtobufBody.Of(string.Empty, string.Empty, new Namespace { Metadata = new ObjectMeta { Name = "team-a" } });

        var json = KubeProtobuf.ToJson(body, "v1", "Namespace");

        Assert.Equal("Namespace", (string?)json["kind"]);
        Assert.Equal("team-a", (string?)json["metadata"]!["name"]);
    }

    [Fact]
    public void SupportedKinds_IncludeTheOnesKubectlSends()
    {
        (string, string)[] expected =
        [
            ("v1", "ConfigMap"), ("v1", "Secret"), ("v1", "Namespace"), ("v1", "ServiceAccount"), ("v1", "Service"), ("v1", "Pod"),
            ("v1", "Endpoints"), ("v1", "Event"), ("v1", "Binding"), ("v1", "DeleteOptions"), ("meta.k8s.io/v1", "DeleteOptions"),
            ("apps/v1", "Deployment"), ("apps/v1", "ReplicaSet"), ("coordination.k8s.io/v1", "Lease"), ("autoscaling/v1", "Scale"),
            ("authorization.k8s.io/v1", "SelfSubjectAccessReview"), ("authorization.k8s.io/v1", "SelfSubjectRulesReview"),
            ("authorization.k8s.io/v1", "SubjectAccessReview"), ("authentication.k8s.io/v1", "SelfSubjectReview"),
            ("authentication.k8s.io/v1", "TokenReview"),
        ];

        Assert.All(expected, kind => Assert.Contains(kind, KubeProtobuf.SupportedKinds));
    }

    private static JsonObject Decode(string apiVersion, IMessage message) =>
        KubeProtobuf.ToJson(ProtobufBody.Of(apiVersion, message.Descriptor.Name, message));
}
