import VigilCore
import VigilSensors
