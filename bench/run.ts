// `npm run bench`: the relay benchmark (more benchmarks register here as they arrive).
import './relay';
