package dev.tollgate.controlplane.cloud;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.StsClientBuilder;
import software.amazon.awssdk.services.sts.model.AssumeRoleResponse;
import software.amazon.awssdk.services.sts.model.Credentials;

/**
 * {@code sts:AssumeRole} through the AWS SDK's STS client, signed with the deployment's own AWS
 * keys or, without them, the {@code fallback} provider (the SDK's default chain in production).
 * The SDK's own retries are off: the refresh schedule retries with its backoff. Thread-safe.
 */
public final class StsMinter {

    private final SdkHttpClient http;
    private final AwsCredentialsProvider fallback;
    private final Clock clock;
    private final Duration timeout;

    public StsMinter(SdkHttpClient http, AwsCredentialsProvider fallback, Clock clock, Duration timeout) {
        this.http = http;
        this.fallback = fallback;
        this.clock = clock;
        this.timeout = timeout;
    }

    /** The control plane's AWS keys from its environment map, when both are set; else {@code otherwise}. */
    public static AwsCredentialsProvider fromEnvironment(Map<String, String> env, AwsCredentialsProvider otherwise) {
        String id = env.getOrDefault("AWS_ACCESS_KEY_ID", "");
        String secret = env.getOrDefault("AWS_SECRET_ACCESS_KEY", "");
        String token = env.getOrDefault("AWS_SESSION_TOKEN", "");
        if (id.isEmpty() || secret.isEmpty()) {
            return otherwise;
        }
        return StaticCredentialsProvider.create(token.isEmpty() ? AwsBasicCredentials.create(id, secret)
                : AwsSessionCredentials.create(id, secret, token));
    }

    MintedCredential mint(MintSpec.AwsAssumeRole spec) throws MintFailure {
        AwsCredentialsProvider credentials = spec.keys().<AwsCredentialsProvider>map(k -> StaticCredentialsProvider.create(
                k.sessionToken().isEmpty() ? AwsBasicCredentials.create(k.accessKeyId(), k.secretAccessKey())
                        : AwsSessionCredentials.create(k.accessKeyId(), k.secretAccessKey(), k.sessionToken())))
                .orElse(fallback);
        StsClientBuilder builder = StsClient.builder()
                .httpClient(http)
                .region(Region.of(spec.region()))
                .credentialsProvider(credentials)
                .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry())
                        .apiCallTimeout(timeout));
        spec.stsEndpoint().ifPresent(builder::endpointOverride);
        var issuedAt = clock.instant();
        try (StsClient sts = builder.build()) {
            AssumeRoleResponse response = sts.assumeRole(r -> r.roleArn(spec.roleArn()).roleSessionName(spec.sessionName()));
            Credentials c = response.credentials();
            if (c == null || c.accessKeyId() == null || c.secretAccessKey() == null || c.sessionToken() == null
                    || c.expiration() == null) {
                throw new MintFailure(spec.kind() + " of " + spec.roleArn() + ": the answer had no complete Credentials;"
                        + " check aws_sts_endpoint");
            }
            return new MintedCredential("", Map.of("aws_access_key_id", c.accessKeyId(),
                    "aws_secret_access_key", c.secretAccessKey(), "aws_session_token", c.sessionToken()),
                    issuedAt, c.expiration());
        } catch (AwsServiceException e) {
            String code = e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorCode();
            String said = e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorMessage();
            throw new MintFailure(Minter.scrub(spec.kind() + " of " + spec.roleArn() + " refused: HTTP "
                    + e.statusCode() + " " + code + (said == null ? "" : " (" + said + ")")
                    + "; check the role's trust policy allows the control plane's AWS identity, and its credentials",
                    spec));
        } catch (SdkException e) {
            // Client-side: no credentials in the default chain, endpoint unreachable, timeout.
            throw new MintFailure(Minter.scrub(spec.kind() + " of " + spec.roleArn() + " failed: "
                    + firstLine(e.getMessage()) + "; check the control plane's AWS credentials (aws_access_key_id/"
                    + "aws_secret_access_key or the AWS SDK default chain) and its network path to STS", spec));
        }
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "";
        }
        int nl = text.indexOf('\n');
        String line = nl < 0 ? text : text.substring(0, nl);
        return line.length() > 300 ? line.substring(0, 300) + "…" : line;
    }
}
