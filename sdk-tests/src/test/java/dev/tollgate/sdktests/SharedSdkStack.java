package dev.tollgate.sdktests;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Hands every SDK test class the same {@link SdkStack}, started on first use and closed when the
 * test run ends (JUnit closes {@link AutoCloseable} values of the root store), so that the Node, OpenAI
 * Java and LangChain4j tests pay for one control plane and sidecar start, not three.
 */
final class SharedSdkStack implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SharedSdkStack.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == SdkStack.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE).computeIfAbsent(SdkStack.class, k -> {
            try {
                return new SdkStack("sdk");
            } catch (Exception e) {
                throw new IllegalStateException("the SDK test stack did not start: " + e.getMessage(), e);
            }
        }, SdkStack.class);
    }
}
