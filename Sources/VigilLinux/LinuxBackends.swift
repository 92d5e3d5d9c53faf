import CI2C
import CLibUSB
import VigilSensors
