// Catches a query that throws (most often the host's `auth` refusing) and shows its message
// in place of the part of the dashboard that failed. A class component: React has no hook
// for this, in 18 or 19. It resets when `resetKey` changes (a new range or site), and by
// itself after a network failure: with backoff (1 s, 2 s, 4 s … 30 s) and at once when the
// browser says it is back online, so a short outage heals without a click. Inside a
// dashboard, an error can have its own alert (ErrorAlertContext): a refused filter's names
// the filter and offers to edit it.
import { Component, createContext, type ContextType, type ReactNode } from "react";
import { errorMessage, isTransientError } from "../model/errors.js";

type Props = { resetKey: string; title?: string; children: ReactNode };
type State = { error: unknown; hasError: boolean };

/** An alert of its own for an error, or null for the usual one. */
export const ErrorAlertContext = createContext<((error: unknown) => ReactNode | null) | null>(null);

export const RETRY_FIRST_MS = 1_000;
export const RETRY_MAX_MS = 30_000;

export class DashboardErrorBoundary extends Component<Props, State> {
  static contextType = ErrorAlertContext;
  declare context: ContextType<typeof ErrorAlertContext>;
  state: State = { error: null, hasError: false };
  private retries = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  static getDerivedStateFromError(error: unknown): State {
    return { error, hasError: true };
  }

  componentDidMount() {
    window.addEventListener("online", this.retryNow);
  }

  componentWillUnmount() {
    window.removeEventListener("online", this.retryNow);
    clearTimeout(this.timer);
  }

  componentDidCatch(error: unknown) {
    if (!isTransientError(error)) return;
    clearTimeout(this.timer);
    const delay = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** this.retries);
    this.retries += 1;
    this.timer = setTimeout(this.reset, delay);
  }

  componentDidUpdate(previous: Props) {
    if (previous.resetKey === this.props.resetKey) return;
    this.retries = 0;
    if (this.state.hasError) this.reset();
  }

  private retryNow = () => {
    if (this.state.hasError && isTransientError(this.state.error)) this.reset();
  };

  reset = () => {
    clearTimeout(this.timer);
    this.setState({ error: null, hasError: false });
  };

  render() {
    if (!this.state.hasError) return this.props.children;
    const own = this.context?.(this.state.error);
    if (own) return own;
    return (
      <div className="cxa-card cxa-alert" role="alert">
        <p className="cxa-alert-title">{this.props.title ?? "Couldn't load analytics"}</p>
        <p className="cxa-alert-message">{errorMessage(this.state.error)}</p>
        <button type="button" className="cxa-button" onClick={this.reset}>
          Try again
        </button>
      </div>
    );
  }
}
