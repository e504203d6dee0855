"""Every system of the shared corpus imported with the importer that fits it. The expected
services and edges were read from the corpus files by hand; each edge names its evidence
(file:line, env var). Skips when ../shared is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from depgraph.importers.backstage import import_backstage
from depgraph.importers.compose import import_compose
from depgraph.importers.k8s import import_k8s
from depgraph.importers.writer import render, write_files
from depgraph.load.loader import load_catalog


@pytest.fixture
def corpus(shared_dir) -> Path:
    return shared_dir / "corpus"


def plain_edges(result) -> set[tuple[str, str]]:
    return {(s, t) for s, t, _ in result.edges()}


def soft_edges(result) -> set[tuple[str, str]]:
    return {(s, t) for s, t, k in result.edges() if k == "soft"}


def assert_loads(result, tmp_path):
    write_files(render(result), tmp_path / "out")
    catalog = load_catalog(tmp_path / "out")
    assert set(catalog.services) | set(catalog.clients) == set(result.services)
    return catalog


def test_robot_shop(corpus, tmp_path):
    result = import_compose([corpus / "robot-shop" / "docker-compose.yaml",
                             corpus / "robot-shop" / "docker-compose-load.yaml"])
    assert sorted(result.services) == ["cart", "catalogue", "dispatch", "load", "mongodb", "mysql",
                                       "payment", "rabbitmq", "ratings", "redis", "shipping", "user", "web"]
    assert plain_edges(result) == {
        ("catalogue", "mongodb"),   # docker-compose.yaml:30 depends_on
        ("user", "mongodb"), ("user", "redis"),  # :45
        ("cart", "redis"),          # :61
        ("shipping", "mysql"),      # :86
        ("ratings", "mysql"),       # :105
        ("payment", "rabbitmq"),    # :118
        ("dispatch", "rabbitmq"),   # :136
        ("web", "catalogue"), ("web", "user"), ("web", "shipping"), ("web", "payment"),  # :149
        ("load", "web"),            # docker-compose-load.yaml: depends_on web, HOST=http://web:8080
    }
    assert_loads(result, tmp_path)


def test_sock_shop_compose(corpus, tmp_path):
    result = import_compose([corpus / "sock-shop" / "docker-compose"])
    assert len(result.services) == 15
    assert plain_edges(result) == {
        ("user", "user-db"),        # docker-compose.yml:155 MONGO_HOST=user-db:27017
        ("user-sim", "edge-router"),  # :175 command "-d 60 -r 200 -c 2 -h edge-router"
    }
    assert_loads(result, tmp_path)


def test_spring_petclinic(corpus, tmp_path):
    result = import_compose([corpus / "spring-petclinic-microservices"])
    assert len(result.services) == 11
    apps = ["customers-service", "visits-service", "vets-service", "genai-service", "api-gateway",
            "admin-server"]  # depends_on at :42, :57, :72, :92, :108, :133 (service_healthy)
    assert plain_edges(result) == (
        {(app, "config-server") for app in apps} | {(app, "discovery-server") for app in apps}
        | {("discovery-server", "config-server")})  # :29
    assert "tracing-server" in result.services and not result.services["tracing-server"].dependencies
    assert_loads(result, tmp_path)


def test_train_ticket(corpus, tmp_path):
    result = import_compose([corpus / "train-ticket"])
    assert len(result.services) == 68
    assert plain_edges(result) == {("ts-voucher-service", "ts-voucher-mysql")}  # the one depends_on
    assert_loads(result, tmp_path)


def test_deathstarbench_hotel_reservation(corpus, tmp_path):
    result = import_compose([corpus / "deathstarbench-hotelreservation"])
    assert len(result.services) == 24
    consul_users = ["frontend", "profile", "search", "geo", "rate", "review", "attractions",
                    "recommendation", "user", "reservation"]  # depends_on: consul in each
    own_stores = {  # short depends_on lists, docker-compose.yml :52, :94, :115, :136, :153, :170, :191, :212
        ("profile", "mongodb-profile"), ("profile", "memcached-profile"), ("geo", "mongodb-geo"),
        ("rate", "mongodb-rate"), ("rate", "memcached-rate"), ("review", "mongodb-review"),
        ("review", "memcached-review"), ("attractions", "mongodb-attractions"),
        ("recommendation", "mongodb-recommendation"), ("user", "mongodb-user"),
        ("reservation", "mongodb-reservation"), ("reservation", "memcached-reserve"),
    }
    assert plain_edges(result) == {(s, "consul") for s in consul_users} | own_stores
    # config.json (mounted into 8 services) lists every address: an address book, no edges
    assert any("config.json" in n and "address book" in n for n in result.notes)
    # the hostname trap: three memcached containers claim user-memcached (:240, :267, :282)
    assert any("user-memcached" in w for w in result.warnings)
    assert_loads(result, tmp_path)


def test_deathstarbench_social_network(corpus, tmp_path):
    result = import_compose([corpus / "deathstarbench-socialnetwork"])
    assert len(result.services) == 27
    app_containers = {"social-graph-service", "compose-post-service", "post-storage-service",
                      "user-timeline-service", "url-shorten-service", "user-service", "media-service",
                      "text-service", "unique-id-service", "user-mention-service",
                      "home-timeline-service", "nginx-thrift", "media-frontend"}
    own_mongo = {(s, s.replace("-service", "-mongodb")) for s in (
        "social-graph-service", "post-storage-service", "user-timeline-service",
        "url-shorten-service", "user-service", "media-service")}
    # long-form depends_on (condition: service_started): jaeger-agent everywhere, six own MongoDBs
    assert plain_edges(result) == {(s, "jaeger-agent") for s in app_containers} | own_mongo
    # jaeger-agent is a telemetry sink: soft, so no false hard hub
    assert soft_edges(result) == {(s, "jaeger-agent") for s in app_containers}
    # service-config.json is bind-mounted (./config) into 11 services: an address book
    assert any("service-config.json" in n and "address book" in n for n in result.notes)
    assert_loads(result, tmp_path)


def test_deathstarbench_media_microservices(corpus, tmp_path):
    result = import_compose([corpus / "deathstarbench-mediamicroservices"])
    assert len(result.services) == 33  # no depends_on, no environment, no mounts
    assert plain_edges(result) == set()
    assert_loads(result, tmp_path)


def test_eshop_on_containers(corpus, tmp_path):
    result = import_compose([corpus / "eshoponcontainers"])  # + docker-compose.override.yml + .env
    assert len(result.services) == 21
    aggregator_deps = {"nosqldata", "sqldata", "identity-api", "rabbitmq", "ordering-api",
                       "catalog-api", "basket-api"}  # docker-compose.yml :89, :103, :117
    gateway_routes = {"catalog-api", "basket-api", "ordering-api", "ordering-signalrhub"}
    expected = {
        ("identity-api", "sqldata"),  # :25; override :47 ConnectionString=${..:-Server=sqldata;...}
        ("basket-api", "basketdata"), ("basket-api", "identity-api"), ("basket-api", "rabbitmq"),  # :33
        ("catalog-api", "sqldata"), ("catalog-api", "rabbitmq"),  # :43
        ("ordering-api", "sqldata"), ("ordering-api", "rabbitmq"),  # :52
        ("ordering-api", "identity-api"),  # override :109 identityUrl=http://identity-api
        ("ordering-backgroundtasks", "sqldata"), ("ordering-backgroundtasks", "rabbitmq"),  # :61
        ("payment-api", "rabbitmq"),  # :70
        ("webhooks-api", "sqldata"),  # :78
        ("webhooks-api", "rabbitmq"), ("webhooks-api", "identity-api"),  # override :168, :171
        ("webspa", "webshoppingagg"), ("webspa", "webshoppingapigw"),  # :139
        ("webspa", "identity-api"),  # override :279 IdentityUrlHC=http://identity-api/hc
        ("webmvc", "webshoppingagg"), ("webmvc", "webshoppingapigw"),  # :148
        ("webmvc", "identity-api"),  # override :294
        ("webhooks-client", "webhooks-api"),  # :157, override :308 WebhooksUrl
        # override :306 IdentityUrl=http://${ESHOP_EXTERNAL_DNS_NAME_OR_IP}:5105, .env sets
        # host.docker.internal, and 5105 is identity-api's published port (:59)
        ("webhooks-client", "identity-api"),
        ("mobileshoppingagg", "payment-api"), ("webshoppingagg", "payment-api"),  # PaymentUrlHC :204, :223
        # mounted envoy.yaml clusters (mobileshopping :106-138, webshopping :109-141)
        ("mobileshoppingapigw", "mobileshoppingagg"), ("webshoppingapigw", "webshoppingagg"),
        # webstatus health checks, override :247-267
        *{("webstatus", t) for t in ("webmvc", "webspa", "webshoppingagg", "mobileshoppingagg",
                                     "ordering-api", "basket-api", "catalog-api", "identity-api",
                                     "payment-api", "ordering-signalrhub", "ordering-backgroundtasks")},
    }
    expected |= {(agg, t) for agg in ("mobileshoppingagg", "webshoppingagg", "ordering-signalrhub")
                 for t in aggregator_deps}
    expected |= {(gw, t) for gw in ("mobileshoppingapigw", "webshoppingapigw") for t in gateway_routes}
    assert plain_edges(result) == expected
    # identity-api's *Client URLs (override :45-54) are OAuth redirect URIs, not dependencies
    assert not result.services["identity-api"].depends_on("webspa")
    assert {d.targets[0] for d in result.services["identity-api"].dependencies} == {"sqldata"}
    assert_loads(result, tmp_path)


OTEL = "opentelemetry-demo"


def test_opentelemetry_demo_all_three_layers(corpus, tmp_path):
    files = [corpus / OTEL / f for f in ("compose.yaml", "compose.full.yaml", "compose.observability.yaml")]
    result = import_compose(files)
    assert len(result.services) == 28  # 20 + kafka, accounting, fraud-detection + 5 observability
    collector_users = {  # depends_on otel-collector (service_started) or OTLP endpoint/host env
        "ad", "cart", "checkout", "currency", "email", "frontend", "image-provider", "payment",
        "product-catalog", "quote", "recommendation", "shipping", "flagd-ui",  # compose.yaml depends_on
        "flagd",            # compose.yaml:685 OTEL_EXPORTER_OTLP_ENDPOINT
        "load-generator",   # compose.yaml:425
        "telemetry-docs",   # compose.yaml:758 OTEL_COLLECTOR_HOST
        "frontend-proxy",   # compose.yaml:339
        "accounting", "fraud-detection",  # compose.full.yaml:34, :75
        "kafka",            # compose.full.yaml:106
        "jaeger",           # compose.observability.yaml:30
    }
    flagd_users = {"ad", "cart", "checkout", "frontend", "load-generator", "payment", "product-catalog",
                   "recommendation", "shipping", "flagd-ui",  # depends_on flagd
                   "email", "fraud-detection", "frontend-proxy"}  # FLAGD_HOST=flagd (.env)
    expected = {(s, "otel-collector") for s in collector_users} | {(s, "flagd") for s in flagd_users}
    expected |= {
        ("cart", "valkey-cart"),  # compose.yaml:104 depends_on (service_healthy)
        ("cart", "opamp-server"),  # compose.observability.yaml:209
        *{("checkout", t) for t in ("cart", "currency", "email", "payment", "product-catalog",
                                    "shipping")},  # compose.yaml:151
        ("checkout", "kafka"),  # compose.full.yaml:131
        *{("frontend", t) for t in ("ad", "cart", "checkout", "currency", "product-catalog", "quote",
                                    "recommendation", "shipping", "image-provider")},  # compose.yaml:288
        ("frontend-proxy", "frontend"), ("frontend-proxy", "flagd-ui"),
        ("frontend-proxy", "telemetry-docs"),  # compose.yaml:366
        ("frontend-proxy", "image-provider"),  # compose.yaml:340 IMAGE_PROVIDER_HOST
        ("frontend-proxy", "jaeger"), ("frontend-proxy", "grafana"),
        ("frontend-proxy", "opamp-server"),  # compose.observability.yaml:170
        ("load-generator", "frontend"), ("load-generator", "frontend-proxy"),  # compose.yaml:444
        ("product-catalog", "astronomy-db"),  # compose.yaml:536; :529 postgres://…@${POSTGRES_HOST}/
        ("recommendation", "product-catalog"),  # compose.yaml:619
        ("shipping", "quote"),  # compose.yaml:647 QUOTE_ADDR=http://quote:${QUOTE_PORT}
        ("accounting", "kafka"),  # compose.full.yaml:34
        ("accounting", "astronomy-db"),  # compose.full.yaml:32 Host=${POSTGRES_HOST};…
        ("fraud-detection", "kafka"),  # compose.full.yaml:75
        ("jaeger", "prometheus"),  # compose.observability.yaml:29 PROMETHEUS_ADDR
        ("otel-collector", "frontend-proxy"),  # compose.yaml:844 FRONTEND_PROXY_ADDR
        ("otel-collector", "image-provider"),  # compose.yaml:846
        ("otel-collector", "astronomy-db"),  # compose.yaml:851 POSTGRES_HOST
        ("otel-collector", "kafka"),  # compose.full.yaml:147 KAFKA_ADDR
        ("otel-collector", "jaeger"), ("otel-collector", "opensearch"),
        ("otel-collector", "opamp-server"),  # compose.observability.yaml:197
    }
    assert plain_edges(result) == expected
    telemetry = {"otel-collector", "jaeger", "grafana", "prometheus", "opamp-server"}
    assert soft_edges(result) == {(s, t) for s, t in expected if t in telemetry}
    assert_loads(result, tmp_path)


def test_opentelemetry_demo_minimal_layer_alone(corpus):
    result = import_compose([corpus / OTEL / "compose.yaml"])
    assert len(result.services) == 20
    assert "kafka" not in result.services and not result.services["checkout"].depends_on("kafka")


def test_online_boutique_sources_with_kustomization(corpus, tmp_path):
    result = import_k8s([corpus / "online-boutique" / "kubernetes-manifests"])
    # kustomization.yaml lists every file but loadgenerator.yaml
    assert sorted(result.services) == [
        "adservice", "cartservice", "checkoutservice", "currencyservice", "emailservice", "frontend",
        "paymentservice", "productcatalogservice", "recommendationservice", "redis-cart",
        "shippingservice"]
    expected = {
        ("cartservice", "redis-cart"),  # cartservice.yaml:51 REDIS_ADDR=redis-cart:6379
        *{("checkoutservice", t) for t in ("productcatalogservice", "shippingservice", "paymentservice",
                                           "emailservice", "currencyservice", "cartservice")},  # :57-68
        *{("frontend", t) for t in ("productcatalogservice", "currencyservice", "cartservice",
                                    "recommendationservice", "shippingservice", "checkoutservice",
                                    "adservice")},  # frontend.yaml:69-82
        ("recommendationservice", "productcatalogservice"),  # recommendationservice.yaml:60
    }
    assert plain_edges(result) == expected
    # frontend.yaml:83 SHOPPING_ASSISTANT_SERVICE_ADDR=shoppingassistantservice:80 has no Service
    assert any("shoppingassistantservice" in w for w in result.warnings)
    assert_loads(result, tmp_path)


def test_online_boutique_whole_folder_counts_duplicates_once(corpus):
    result = import_k8s([corpus / "online-boutique"])
    # release/kubernetes-manifests.yaml repeats the same objects, plus loadgenerator
    assert len(result.services) == 12
    assert ("loadgenerator", "frontend") in plain_edges(result)  # loadgenerator.yaml:69 FRONTEND_ADDR
    assert any("counted once" in n for n in result.notes)


def test_sock_shop_kubernetes(corpus, tmp_path):
    result = import_k8s([corpus / "sock-shop" / "kubernetes"])
    assert len(result.services) == 14 and "session-db" in result.services
    assert plain_edges(result) == {("user", "user-db")}  # complete-demo.yaml:790 mongo=user-db:27017
    assert result.services["user"].labels["depgraph.io/namespace"] == "sock-shop"
    # :710 ZIPKIN=zipkin.jaeger.svc.cluster.local: a Service in a namespace not in the file
    assert any("zipkin.jaeger.svc.cluster.local" in w for w in result.warnings)
    assert_loads(result, tmp_path)


def test_backstage_examples(corpus, tmp_path):
    result = import_backstage([corpus / "backstage-examples" / "examples"])
    services = result.services
    assert sorted(services) == [
        "artist-lookup", "artists-db", "petstore", "playback-order", "playback-sdk", "podcast-api",
        "queue-proxy", "searcher", "shuffle-api", "wayback-archive", "wayback-archive-ingestion",
        "wayback-archive-storage", "wayback-search", "www-artist"]
    assert plain_edges(result) == {
        ("artist-lookup", "artists-db"),  # artist-lookup-component.yaml:39 dependsOn resource:artists-db
        ("wayback-search", "wayback-archive"),  # wayback-search consumesApis wayback-archive,
                                                # provided by wayback-archive-component.yaml:10
    }
    # subcomponentOf is containment, not a dependency
    assert services["wayback-archive-storage"].labels["depgraph.io/part-of"] == "wayback-archive"
    assert not services["wayback-archive-storage"].dependencies
    assert services["artist-lookup"].owner == "team-a" and services["artist-lookup"].lifecycle == "experimental"
    assert services["artists-db"].labels["depgraph.io/backstage-kind"] == "resource"
    assert services["searcher"].owner == "guest"  # owner user:guest (acme/team-a-group.yaml:54)
    assert result.teams["team-a"].tribe == "backstage"  # team-a-group.yaml parent: backstage
    assert result.teams["infrastructure"].tribe == "acme-corp"
    # dangling references are reported, not invented
    assert any("hello-world" in w for w in result.warnings)  # petstore provides a missing API
    assert any("swapi-graphql.yaml" in w for w in result.warnings)  # all-apis.yaml Location target
    assert "hello-world" not in services
    catalog = assert_loads(result, tmp_path)
    assert catalog.teams["team-a"].contact == {"email": "team-a@example.com"}


# Importing each system and analysing the result invents no hard cycle: none of these systems
# has one (each was checked by hand: the only loops run through telemetry sinks, which are soft).
IMPORTS = {
    "robot-shop": ("compose", ["robot-shop/docker-compose.yaml", "robot-shop/docker-compose-load.yaml"]),
    "sock-shop-compose": ("compose", ["sock-shop/docker-compose"]),
    "spring-petclinic": ("compose", ["spring-petclinic-microservices"]),
    "train-ticket": ("compose", ["train-ticket"]),
    "hotel-reservation": ("compose", ["deathstarbench-hotelreservation"]),
    "social-network": ("compose", ["deathstarbench-socialnetwork"]),
    "media-microservices": ("compose", ["deathstarbench-mediamicroservices"]),
    "eshop": ("compose", ["eshoponcontainers"]),
    "opentelemetry-demo": ("compose", [f"{OTEL}/{f}" for f in (
        "compose.yaml", "compose.full.yaml", "compose.observability.yaml")]),
    "online-boutique": ("k8s", ["online-boutique"]),
    "sock-shop-k8s": ("k8s", ["sock-shop/kubernetes"]),
    "backstage-examples": ("backstage", ["backstage-examples/examples"]),
}


@pytest.mark.parametrize("system", sorted(IMPORTS))
def test_import_then_analyze_finds_no_hard_cycle(corpus, tmp_path, run_cli, system):
    import json

    kind, sources = IMPORTS[system]
    out = tmp_path / "out"
    imported = run_cli("import", kind, *(corpus / s for s in sources), "-o", out, "-q")
    assert imported.exit_code == 0, imported.output
    analysed = run_cli("analyze", "-d", out, "--format", "json")
    assert analysed.exit_code in (0, 1), analysed.output
    cycles = json.loads(analysed.stdout)["cycles"]
    assert [c["members"] for c in cycles if c["hard"]] == []
