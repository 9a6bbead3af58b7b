// The close codes are part of the protocol (peers decide whether to reconnect from them); re-exported for relay code.
export { CloseCode, shouldReconnect } from '../protocol/close-codes';
