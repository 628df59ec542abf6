// Catches a query that throws (most often the host's `auth` refusing) and shows its message
// in place of the part of the dashboard that failed. A class component: React has no hook
// for this, in 18 or 19. It resets when `resetKey` changes (a new range or site), and by
// itself after a network failure: with backoff (1 s, 2 s, 4 s … 30 s) and at once when the
// browser says it is back online, so a short outage heals without a click.
import { Component, type ReactNode } from "react";
import { errorMessage, isTransientError } from "./errors.js";

type Props = { resetKey: string; title?: string; children: ReactNode };
type State = { error: unknown; hasError: boolean };

export const RETRY_FIRST_MS = 1_000;
export const RETRY_MAX_MS = 30_000;

export class DashboardErrorBoundary extends Component<Props, State> {
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
